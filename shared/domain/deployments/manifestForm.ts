// What each manifest form hands to normalisation: the parts of the canonical
// content plus what the control plane keeps beside it.
import type { UpdatePolicy } from '../registry/updatePolicySchema';
import type { ManifestParts } from './edgeContent';
import type { Locate } from './limits';
import type { TargetCondition } from './targetCondition';

export interface CredentialReference {
  readonly name: string;
  /** Where the name was written, for the 400 when settings do not have it. */
  readonly pointer: string;
}

export interface ManifestTranslation {
  readonly parts: ManifestParts;
  readonly credentials: readonly CredentialReference[];
  readonly updatePolicies: Readonly<Record<string, UpdatePolicy>>;
  /** Devices the manifest itself narrows to (Kubernetes nodeSelector). */
  readonly condition?: TargetCondition | undefined;
  /** Maps a content path to a pointer in the request, for limit errors. */
  readonly locate: Locate;
}

export const credentialRefs = (names: readonly string[] | undefined, pointer: string): CredentialReference[] =>
  (names ?? []).map((name, i) => ({ name, pointer: `${pointer}/${i}` }));
