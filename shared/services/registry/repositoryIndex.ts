// Which deployments follow a repository, so a push reads only their revisions
// instead of every current revision (a revision can be ~840 KB). Derived data:
// the deployments table stays the source of truth, and the index only has to
// be a superset of it. How that is kept (docs/registry-webhooks.md, "The
// repository index"):
// - write-ahead: a revision's rows are recorded before the revision is
//   committed (indexedDeploymentStore), so a committed revision always has
//   them; a failed write fails the request before anything is committed, and
//   rows of a commit that then fails are harmless extras;
// - a row keeps the highest revision recorded for it and every write changes
//   its ETag, so removing a stale row (If-Match, only when the deployment's
//   current revision is at least the row's and does not follow the repository)
//   can never remove the row of a revision still being committed;
// - the index is trusted only while its completeness marker exists; the
//   marker is written by a full scan, and lives in the same table, so a lost or
//   recreated table loses it too and pushes go back to the full scan, which
//   rebuilds the index.
// Implemented over Table storage (adapters/tables/tableRepositoryIndex.ts).

export interface RepositoryIndexEntry {
  readonly deploymentId: string;
  /** The highest revision recorded as following the repository. */
  readonly revision: number;
  /** The row's version: a removal names it, so a row written since is kept. */
  readonly etag: string;
  /** When the row was last written (the store's own clock). */
  readonly writtenAt: string;
}

export interface RepositoryIndex {
  /** Records that revision `revision` of the deployment follows these repositories (never lowers a row's revision). */
  record(deploymentId: string, revision: number, repositories: readonly string[]): Promise<void>;
  /** The deployments that may follow the repository, or undefined while the index is not known to be complete. */
  lookup(repository: string): Promise<RepositoryIndexEntry[] | undefined>;
  /** Removes the entry unless it was written again since it was read; false when it was (or is gone). */
  remove(repository: string, entry: RepositoryIndexEntry): Promise<boolean>;
  /** Marks the index complete: a full scan recorded every live deployment. */
  markComplete(at: string): Promise<void>;
}
