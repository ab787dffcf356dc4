// Things the control plane accepted but wants the caller to know: a document it
// skipped, a field it dropped in translation, an update policy that can never
// fire. Returned beside the result (never instead of an error) and kept with the
// revision so `/status` can show them too.

/** One warning; `pointer` is a JSON Pointer (RFC 6901) into what the caller sent. */
export interface DeploymentWarning {
  readonly code: string;
  readonly pointer: string;
  readonly detail: string;
}
