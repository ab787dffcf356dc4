// The Deployments domain as the HTTP functions, table storage and fan-out use it.
export { type DeviceSelector, deviceSelectorSchema, selectorToCondition } from './selector';
export { allOf, ConditionPath, parseTargetCondition, TargetCondition, targetCondition } from './targetCondition';
export { type HubSelector, hubSelectorSchema, selectHubs, unknownHubNames } from './hubSelector';
export { parseImageReference, type ImageReference } from './imageReference';
export { chunkCreateOptions, joinCreateOptions } from './createOptions';
export { canonicalStringify } from './canonicalJson';
export type { ModulesContent } from './edgeContent';
export { MAX_DESIRED_BYTES, MAX_MODULES } from './limits';
export { type Manifest, type ManifestContext, manifestSchema, type NormalizedManifest, normalizeManifest } from './normalize';
export {
  type DeploymentRequest,
  deploymentRequestSchema,
  type DeploymentSpec,
  deploymentSpecSchema,
  type NormalizedSpec,
  normalizeSpec,
} from './deploymentSpec';
export { ANNOTATIONS, parseDeploymentRequest, type ParsedDeploymentRequest } from './parseDeploymentRequest';
export { applyMergePatch, patchSpec } from './mergePatch';
export { createRevision, nextRevisionNumber, type Revision, type RevisionCause, rollbackRevision, sameContent } from './revision';
export { type ConfigurationOptions, type IotHubConfiguration, toConfiguration } from './configuration';
export { moduleImages, withModuleImage } from './moduleImage';
export type { Result } from './result';
