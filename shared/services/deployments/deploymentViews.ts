// What the API returns for a deployment, its revisions and its hubs. Built
// from stored records only; never includes registry secrets (revisions hold names).
import { z } from 'zod';
import { configurationId } from '../../domain/deployments/configurationId';
import type { DeploymentHead, HubTarget, RevisionRecord } from './deploymentStore';

const isoTime = z.string().meta({ description: 'ISO 8601 UTC time', example: '2026-11-24T12:00:00.000Z' });
const syncError = z.object({ code: z.string(), message: z.string() });

export const deploymentWarningSchema = z
  .object({
    code: z.string().meta({ example: 'skipped_document' }),
    pointer: z.string().meta({ description: 'JSON Pointer (RFC 6901) into what was sent', example: '/0' }),
    detail: z.string(),
  })
  .meta({ id: 'DeploymentWarning' });

export const deploymentViewSchema = z
  .object({
    id: z.string(),
    revision: z.int().meta({ description: 'Current revision number' }),
    etag: z.string().meta({ description: 'Send as If-Match to change this revision', example: '"r3"' }),
    labels: z.record(z.string(), z.string()),
    priority: z.int(),
    target: z.unknown().meta({ description: 'The device target as submitted' }),
    hubSelector: z.unknown().meta({ description: 'The hub selector as submitted' }),
    manifest: z.unknown().meta({ description: 'The manifest as submitted; registry passwords are shown as <redacted> (send that back to keep the stored one)' }),
    kind: z.enum(['base', 'layered']).meta({ description: 'layered: an IoT Hub layered deployment, merged over the base deployment' }),
    targetCondition: z.string().meta({ description: 'The IoT Hub target condition every configuration of this revision uses' }),
    hubs: z.array(z.string()).meta({ description: 'Hubs this revision goes to' }),
    createdAt: isoTime,
    updatedAt: isoTime,
    deletedAt: isoTime.optional(),
  })
  .meta({ id: 'Deployment' });
export type DeploymentView = z.infer<typeof deploymentViewSchema>;

export const hubTargetViewSchema = z
  .object({
    hub: z.string(),
    configurationId: z.string().nullable(),
    desiredRevision: z.int().nullable().meta({ description: 'null: the hub must hold none of this deployment' }),
    state: z.enum(['pending', 'applied', 'failed', 'removed']).meta({ description: 'pending: will be retried; failed: needs a change (see lastError)' }),
    appliedRevision: z.int().nullable(),
    attempts: z.int(),
    lastError: syncError.nullable(),
    lastAttemptAt: isoTime.nullable(),
    nextAttemptAt: isoTime.nullable(),
    narrowTo: z
      .string()
      .nullable()
      .meta({ description: "A rollout wave holds this hub's new revision to these devices (ANDed with the target condition); null: every targeted device", example: "tags.ring='canary'" }),
    alongsideRevision: z.int().nullable().meta({ description: "While narrowed: the revision the hub's other devices keep" }),
  })
  .meta({ id: 'HubSync' });
export type HubTargetView = z.infer<typeof hubTargetViewSchema>;

export const revisionViewSchema = z
  .object({
    revision: z.int(),
    createdAt: isoTime,
    cause: z.record(z.string(), z.unknown()).meta({ description: 'What made the revision: create, update, patch, rollback (toRevision) or registry (the push)' }),
    targetCondition: z.string(),
    hubs: z.array(z.string()),
    spec: z.unknown().meta({ description: 'The spec as submitted (registry passwords shown as <redacted>)' }),
    kind: z.enum(['base', 'layered']).meta({ description: 'layered: an IoT Hub layered deployment (properties.desired.<path> keys, merged over the base)' }),
    warnings: z.array(deploymentWarningSchema),
  })
  .meta({ id: 'Revision' });
export type RevisionView = z.infer<typeof revisionViewSchema>;

export const changeResultSchema = z
  .object({
    deployment: deploymentViewSchema,
    hubs: z.array(hubTargetViewSchema),
    converged: z.boolean().meta({ description: 'Every hub is where it should be; otherwise the reconciler finishes (the answer was 202)' }),
    warnings: z.array(deploymentWarningSchema).meta({ description: 'Accepted, but worth knowing: skipped documents, dropped fields, policies that cannot fire' }),
    secretsRotated: z.boolean().optional().meta({ description: 'Only registry passwords changed: no new revision; the hubs get the new credentials' }),
  })
  .meta({ id: 'DeploymentChange' });

export const revisionETag = (revision: number): string => `"r${revision}"`;

export function deploymentView(head: DeploymentHead, current: RevisionRecord): DeploymentView {
  return {
    id: head.id,
    revision: head.currentRevision,
    etag: revisionETag(head.currentRevision),
    labels: head.labels,
    priority: current.spec.priority,
    target: current.spec.target ?? null,
    hubSelector: current.spec.hubSelector,
    manifest: current.spec.manifest,
    kind: current.kind ?? 'base',
    targetCondition: current.targetCondition,
    hubs: [...current.hubs],
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
    ...(head.deletedAt ? { deletedAt: head.deletedAt } : {}),
  };
}

export function hubTargetView(t: HubTarget): HubTargetView {
  return {
    hub: t.hub,
    configurationId: t.desiredRevision === null ? null : configurationId(t.deploymentId, t.desiredRevision),
    desiredRevision: t.desiredRevision,
    state: t.state,
    appliedRevision: t.appliedRevision ?? null,
    attempts: t.attempts,
    lastError: t.lastError ?? null,
    lastAttemptAt: t.lastAttemptAt ?? null,
    nextAttemptAt: t.nextAttemptAt ?? null,
    narrowTo: t.narrowTo ?? null,
    alongsideRevision: t.alongsideRevision ?? null,
  };
}

export function revisionView(r: RevisionRecord): RevisionView {
  return { revision: r.number, createdAt: r.createdAt, cause: r.cause, targetCondition: r.targetCondition, hubs: [...r.hubs], spec: r.spec, kind: r.kind ?? 'base', warnings: [...(r.warnings ?? [])] };
}
