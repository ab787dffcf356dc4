// The deployments a push must be judged against: the current revision of every
// live deployment that follows a pushed repository. Read through the repository
// index when it is complete (only the deployments it names), otherwise by the
// full scan, which also (re)builds the index. Stale rows found on the way are
// removed, under the guards of repositoryIndex.ts. A dry run writes nothing.
import { followedRepositories } from '../../domain/registry/followedRepositories';
import type { DeploymentHead, DeploymentStore, RevisionRecord } from '../deployments/deploymentStore';
import type { RepositoryIndex, RepositoryIndexEntry } from './repositoryIndex';

export interface PushCandidate {
  readonly deploymentId: string;
  readonly revision: RevisionRecord;
}

export interface CandidateOptions {
  readonly dryRun: boolean;
  readonly now: Date;
}

/**
 * A row whose deployment does not exist may belong to a create still in flight
 * (its rows are written first): it is removed only when older than any request lives.
 */
export const ORPHAN_ROW_GRACE_MS = 3600_000;

const follows = (revision: RevisionRecord) => Object.keys(revision.updatePolicies).length > 0;

/** A deployment's head and, while it is live, its current revision. */
export async function currentOf(store: DeploymentStore, id: string): Promise<{ head?: DeploymentHead; revision?: RevisionRecord }> {
  const head = await store.get(id);
  if (!head || head.deletedAt) return head ? { head } : {};
  const revision = await store.getRevision(id, head.currentRevision);
  return { head, ...(revision ? { revision } : {}) };
}

/** The row can go: nothing being committed can need it (see repositoryIndex.ts). */
function stale(repository: string, entry: RepositoryIndexEntry, head: DeploymentHead | undefined, revision: RevisionRecord | undefined, now: Date): boolean {
  if (!head) return now.getTime() - Date.parse(entry.writtenAt) > ORPHAN_ROW_GRACE_MS;
  if (head.deletedAt) return true;
  return !!revision && head.currentRevision >= entry.revision && !followedRepositories(revision).includes(repository);
}

/** Every live deployment that follows any pushes, by reading every current revision; the index is rebuilt from it. */
async function scan(store: DeploymentStore, index: RepositoryIndex | undefined, options: CandidateOptions): Promise<PushCandidate[]> {
  const found: PushCandidate[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.list({ pageSize: 100, ...(continuationToken ? { continuationToken } : {}) });
    for (const head of page.items) {
      if (head.deletedAt) continue;
      const revision = await store.getRevision(head.id, head.currentRevision);
      if (!revision || !follows(revision)) continue;
      found.push({ deploymentId: head.id, revision });
      if (index && !options.dryRun) await index.record(head.id, revision.number, followedRepositories(revision));
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  if (index && !options.dryRun) await index.markComplete(options.now.toISOString());
  return found;
}

/** Candidates through the index, or undefined when it is not known to be complete. */
async function throughIndex(store: DeploymentStore, index: RepositoryIndex, repositories: readonly string[], options: CandidateOptions): Promise<PushCandidate[] | undefined> {
  const rows = new Map<string, { repository: string; entry: RepositoryIndexEntry }[]>();
  for (const repository of repositories) {
    const entries = await index.lookup(repository);
    if (!entries) return undefined;
    for (const entry of entries) rows.set(entry.deploymentId, [...(rows.get(entry.deploymentId) ?? []), { repository, entry }]);
  }
  const found: PushCandidate[] = [];
  for (const [deploymentId, entries] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const { head, revision } = await currentOf(store, deploymentId);
    if (revision && follows(revision)) found.push({ deploymentId, revision });
    if (options.dryRun) continue;
    for (const { repository, entry } of entries) if (stale(repository, entry, head, revision, options.now)) await index.remove(repository, entry);
  }
  return found;
}

export async function pushCandidates(store: DeploymentStore, index: RepositoryIndex | undefined, repositories: readonly string[], options: CandidateOptions): Promise<PushCandidate[]> {
  const indexed = index && (await throughIndex(store, index, [...new Set(repositories)], options));
  return indexed ?? scan(store, index, options);
}
