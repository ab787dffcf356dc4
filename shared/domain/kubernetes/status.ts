// Kubernetes `Status` objects (metav1.Status), the error body every
// Kubernetes client reads: kubectl prints `message`, and `reason` and
// `details.causes[].field` say which field was refused
// (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/).
import type { AppError } from '../../errors';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface KubernetesStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly StatusCause[] };
  readonly code: number;
}

/** StatusReason values of k8s.io/apimachinery/pkg/apis/meta/v1/types.go, by HTTP status. */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface Target {
  readonly name?: string;
  readonly group?: string;
  /** The resource's plural, as the apiserver puts it in details.kind. */
  readonly kind?: string;
}

export function failure(code: number, message: string, target: Target = {}, causes: readonly StatusCause[] = [], reason = REASONS[code] ?? 'Unknown'): KubernetesStatus {
  const details = { ...target, ...(causes.length ? { causes } : {}) };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(Object.keys(details).length ? { details } : {}), code };
}

export const notFoundStatus = (resource: string, name: string, group = '') =>
  failure(404, `${group ? `${resource}.${group}` : resource} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });

export const alreadyExistsStatus = (resource: string, name: string, group = '') =>
  failure(409, `${group ? `${resource}.${group}` : resource} "${name}" already exists`, { name, ...(group ? { group } : {}), kind: resource }, [], 'AlreadyExists');

export const conflictStatus = (resource: string, name: string, group: string, why: string) =>
  failure(409, `Operation cannot be fulfilled on ${resource}.${group} "${name}": ${why}`, { name, group, kind: resource });

/** A JSON Pointer into the object as Kubernetes writes a field path (`spec.template.spec.containers[0].env[2].valueFrom`). */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** An AppError from the shared deployment code (400s with JSON Pointers) as the Status kubectl shows. */
export function statusFromAppError(error: AppError, target: Target): KubernetesStatus {
  const causes = error.issues.map((i) => ({ reason: i.code === 'unsupported_field' || i.code === 'dropped_field' ? 'FieldValueNotSupported' : 'FieldValueInvalid', message: i.detail, field: fieldPath(i.pointer) }));
  if (error.status === 400 && causes.length) {
    const listed = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return failure(422, `${target.kind ?? 'object'}${target.group ? `.${target.group}` : ''} "${target.name ?? ''}" is invalid: ${listed}`, target, causes);
  }
  if (error.status === 404) return failure(404, error.message, target);
  if (error.status === 409 || error.status === 412) return failure(409, error.message, target);
  return failure(error.status, error.message, target);
}
