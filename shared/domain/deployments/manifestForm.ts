// What each manifest form hands to normalisation: the parts of the canonical
// content (or, for modulesContent, the content itself, kept as written) plus
// what the control plane keeps beside it.
import type { UpdatePolicy } from '../registry/updatePolicySchema';
import type { ManifestParts, ModulesContent } from './edgeContent';
import type { InlineCredential } from './inlineCredentials';
import type { DeploymentKind } from './layered';
import type { Locate } from './limits';
import type { TargetCondition } from './targetCondition';
import type { DeploymentWarning } from './warnings';

export interface CredentialReference {
  readonly name: string;
  /** Where the name was written, for the 400 when settings do not have it. */
  readonly pointer: string;
}

interface TranslationCommon {
  /** Registry credentials named from the REGISTRY_CREDENTIALS setting. */
  readonly credentials: readonly CredentialReference[];
  /** Registry credentials written in the manifest itself, by name. */
  readonly inlineCredentials?: Readonly<Record<string, InlineCredential>> | undefined;
  /** Paths (in the manifest object) of passwords to redact in the stored spec. */
  readonly redact?: readonly (readonly (string | number)[])[] | undefined;
  readonly updatePolicies: Readonly<Record<string, UpdatePolicy>>;
  /** Where the policy for a module was written, when not at updatePolicies/<name> (the compact form). */
  readonly policyPointer?: ((module: string) => string) | undefined;
  /** Devices the manifest itself narrows to (Kubernetes nodeSelector, a virtual-kubelet targetCondition annotation). */
  readonly condition?: TargetCondition | undefined;
  /** What was skipped, dropped or ignored on the way. */
  readonly warnings?: readonly DeploymentWarning[] | undefined;
  /** Maps a content path to a pointer in the request, for limit errors. */
  readonly locate: Locate;
}

export type ManifestTranslation = TranslationCommon &
  (
    | { readonly parts: ManifestParts; readonly content?: undefined; readonly kind?: undefined }
    /** Already canonical content (modulesContent form): base or layered. */
    | { readonly content: ModulesContent; readonly kind: DeploymentKind; readonly parts?: undefined }
  );

export const credentialRefs = (names: readonly string[] | undefined, pointer: string): CredentialReference[] =>
  (names ?? []).map((name, i) => ({ name, pointer: `${pointer}/${i}` }));
