// Watch (`?watch=1`), streamed: newline-delimited WatchEvents
// (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes)
// written as they happen on one open response. The first events are each
// object's current state, so a client re-watching (as client-go's reflector
// does whenever a watch ends) always catches up; the objects are then read
// again every second and what changed is sent (a Deployment's resourceVersion
// changes with its status, so informers take every change). The stream ends
// cleanly at the timeout.
import { failure } from '../../domain/kubernetes/status';
import { KubeError } from './kubeError';

type Obj = Record<string, unknown>;

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Obj;
}

/** What a watch has last seen: each object's JSON, by name. */
export type Snapshot = ReadonlyMap<string, string>;

export interface WatchClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface WatchSettings {
  /** Longest a watch stays open, whatever `timeoutSeconds` asks (docs/kubernetes-api.md, "Watch"). */
  readonly maxMs: number;
  readonly pollMs: number;
  /** How often a BOOKMARK goes out when the client sent `allowWatchBookmarks=true`. */
  readonly bookmarkMs: number;
  readonly clock?: WatchClock;
  /** Where a failure during a watch is logged; the client gets an ERROR event that leaks nothing. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Azure's front end drops an HTTP connection that has been idle for 230 s
 * (https://learn.microsoft.com/azure/azure-functions/functions-scale#timeout), and a
 * watch with nothing to report sends nothing. Bytes flowing are reported to reset that
 * idle timer, but without bookmarks a quiet watch has none, so every watch ends, cleanly, before
 * 230 s: client-go's reflectors ask for 300-600 s and simply watch again when a watch
 * ends. Bookmarks every minute (the apiserver's own rhythm) keep busy intermediaries
 * from seeing a quiet watch as dead.
 */
export const WATCH_DEFAULTS: WatchSettings = { maxMs: 200_000, pollMs: 1000, bookmarkMs: 60_000 };

const nameOf = (o: Obj) => (o.metadata as { name?: string } | undefined)?.name ?? '';

export function snapshotOf(objects: readonly Obj[]): Snapshot {
  return new Map(objects.map((o) => [nameOf(o), JSON.stringify(o)]));
}

/** The events that turn `before` into `objects`: new names ADDED, changed ones MODIFIED, missing ones DELETED (with their last state). */
export function diffSnapshots(before: Snapshot, objects: readonly Obj[]): { events: WatchEvent[]; snapshot: Snapshot } {
  const snapshot = snapshotOf(objects);
  const events: WatchEvent[] = [];
  for (const o of objects) {
    const seen = before.get(nameOf(o));
    if (seen === undefined) events.push({ type: 'ADDED', object: o });
    else if (seen !== snapshot.get(nameOf(o))) events.push({ type: 'MODIFIED', object: o });
  }
  for (const [name, text] of before) if (!snapshot.has(name)) events.push({ type: 'DELETED', object: JSON.parse(text) as Obj });
  return { events, snapshot };
}

/** A BOOKMARK carries only the kind and a resourceVersion (api-concepts, "Watch bookmarks"). */
export function bookmark(kind: { kind: string; apiVersion: string }, resourceVersion: string): WatchEvent {
  return { type: 'BOOKMARK', object: { kind: kind.kind, apiVersion: kind.apiVersion, metadata: { resourceVersion } } };
}

/** A failure mid-watch, after the 200 went out: an ERROR event with a Status, as the apiserver sends. */
export function errorEvent(error: unknown, onError?: (error: unknown) => void): WatchEvent {
  if (error instanceof KubeError) return { type: 'ERROR', object: error.status as unknown as Obj };
  onError?.(error);
  return { type: 'ERROR', object: failure(500, 'The server could not complete the request. It has been logged.') as unknown as Obj };
}

// The default sleep does not hold the process open: a watch never delays an instance's shutdown.
const realClock: WatchClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    }),
};

export interface WatchLoop {
  readonly first: readonly Obj[];
  readonly read: () => Promise<Obj[]>;
  readonly kind: { kind: string; apiVersion: string };
  /** Already capped by `maxMs`. */
  readonly timeoutMs: number;
  readonly bookmarks: boolean;
  readonly settings: WatchSettings;
  readonly signal: AbortSignal;
}

/** The events of one watch: the current state, then changes every `pollMs`, bookmarks if asked, until the timeout or an error. */
export async function* watchEvents(loop: WatchLoop): AsyncGenerator<WatchEvent, void, undefined> {
  const clock = loop.settings.clock ?? realClock;
  const started = clock.now();
  const deadline = started + loop.timeoutMs;
  for (const object of loop.first) yield { type: 'MODIFIED', object };
  let snapshot = snapshotOf(loop.first);
  let lastBookmark = started;
  for (;;) {
    const left = deadline - clock.now();
    if (left <= 0 || loop.signal.aborted) return;
    await clock.sleep(Math.min(loop.settings.pollMs, left), loop.signal);
    if (loop.signal.aborted || clock.now() >= deadline) return;
    let objects: Obj[];
    try {
      objects = await loop.read();
    } catch (error) {
      yield errorEvent(error, loop.settings.onError);
      return;
    }
    const diff = diffSnapshots(snapshot, objects);
    snapshot = diff.snapshot;
    yield* diff.events;
    const now = clock.now();
    if (loop.bookmarks && now - lastBookmark >= loop.settings.bookmarkMs) {
      lastBookmark = now;
      yield bookmark(loop.kind, String(now));
    }
  }
}

/** The events as the response body; cancelling the stream (the client went away) stops the polling. */
export function watchStream(events: (signal: AbortSignal) => AsyncGenerator<WatchEvent, void, undefined>): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const iterator = events(stop.signal);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      // An empty first chunk makes the worker send the status and headers at once (Node sends them with the
      // first write), as the apiserver flushes them when a watch starts: a watch with nothing to report yet
      // (an empty namespace) must still answer, or a client waiting for the response (an informer's start) waits on.
      start(controller) {
        controller.enqueue(new Uint8Array(0));
      },
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
      },
      async cancel() {
        stop.abort();
        await iterator.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
