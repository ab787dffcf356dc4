// Docker image references, after the distribution/reference grammar:
//   [registry-host[:port]/]path-component(/path-component)*[:tag][@digest]
// Validated up front because a bad reference only shows up on the device as a
// failed pull, long after the request returned 201.

export interface ImageReference {
  /** Present only when the first component looks like a host (has `.` or `:`, or is `localhost`). */
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/**
 * Nested IoT Edge: `$upstream[:port]` is the parent device's registry proxy, which
 * edgeAgent resolves before pulling (Microsoft Learn, how-to-connect-downstream-iot-edge-device,
 * "Deploy modules to lower-layer devices"; iotedge e2e_deployment_files/nestededge_*).
 */
const UPSTREAM_HOST = /^\$upstream(?::[0-9]{1,5})?$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const MAX_LENGTH = 255 + 128 + 80;

/** The parts of `ref`, or a reason it is not a valid reference. */
export function parseImageReference(ref: string): ImageReference | { readonly error: string } {
  if (ref.length === 0) return { error: 'is empty' };
  if (ref.length > MAX_LENGTH) return { error: `is longer than ${MAX_LENGTH} characters` };
  if (/\s/.test(ref)) return { error: 'contains white space' };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { error: `has an invalid digest '${digest}' (expected algorithm:hex, e.g. sha256:...)` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { error: `has an invalid tag '${tag}' (letters, digits, '_', '.', '-'; at most 128)` };
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first === '$upstream')) {
    if (!HOST.test(first) && !UPSTREAM_HOST.test(first)) return { error: `has an invalid registry host '${first}'` };
    const port = first.includes(':') ? Number(first.slice(first.indexOf(':') + 1)) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) return { error: `has an invalid registry port in '${first}'` };
    registry = first;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) {
    return { error: `has an invalid repository path '${parts.join('/')}' (lowercase letters, digits and separators)` };
  }
  return {
    ...(registry === undefined ? {} : { registry }),
    repository: parts.join('/'),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

export const isImageReferenceError = (r: ImageReference | { readonly error: string }): r is { readonly error: string } =>
  'error' in r;
