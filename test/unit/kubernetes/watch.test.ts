import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeFail } from '../../../shared/services/kubernetes/kubeError';
import { diffSnapshots, snapshotOf, type WatchClock, type WatchEvent, watchEvents, type WatchLoop, watchStream } from '../../../shared/services/kubernetes/watch';

type Obj = Record<string, unknown>;
const dep = (name: string, generation = 1, ready = 0): Obj => ({ kind: 'Deployment', metadata: { name, generation }, status: { readyReplicas: ready } });
const kind = { kind: 'Deployment', apiVersion: 'apps/v1' };

/** Time moves only when the watch sleeps; `onSleep` runs at each wake-up, so a test changes the world between polls. */
function fakeClock(onSleep: (now: number) => void = () => undefined): WatchClock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      onSleep(now);
      return Promise.resolve();
    },
  };
}

async function collect(loop: Partial<WatchLoop> & Pick<WatchLoop, 'read'>): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const full: WatchLoop = { first: [], kind, timeoutMs: 5000, bookmarks: false, settings: { maxMs: 200_000, pollMs: 1000, bookmarkMs: 60_000 }, signal: new AbortController().signal, ...loop };
  for await (const e of watchEvents(full)) events.push(e);
  return events;
}

describe('watch: diffing snapshots into events', () => {
  it('reports new names as ADDED, changed ones as MODIFIED, missing ones as DELETED with their last state, and nothing for the unchanged', () => {
    const before = snapshotOf([dep('a'), dep('b'), dep('c')]);
    const { events, snapshot } = diffSnapshots(before, [dep('a'), dep('b', 2), dep('d')]);
    assert.deepEqual(events, [
      { type: 'MODIFIED', object: dep('b', 2) },
      { type: 'ADDED', object: dep('d') },
      { type: 'DELETED', object: dep('c') },
    ]);
    assert.deepEqual([...snapshot.keys()], ['a', 'b', 'd']);
  });

  it('sees a status change that leaves generation and resourceVersion alone', () => {
    const { events } = diffSnapshots(snapshotOf([dep('a', 3, 1)]), [dep('a', 3, 2)]);
    assert.deepEqual(events.map((e) => e.type), ['MODIFIED']);
  });
});

describe('watch: the polling loop', () => {
  it('sends the current state first, then each change as it is polled, and ends at the timeout', async () => {
    let world = [dep('a')];
    const clock = fakeClock((now) => {
      if (now === 1_002_000) world = [dep('a', 2)];
      if (now === 1_004_000) world = [];
    });
    const events = await collect({ first: world, read: () => Promise.resolve(world), timeoutMs: 5000, settings: { maxMs: 200_000, pollMs: 1000, bookmarkMs: 60_000, clock } });
    assert.deepEqual(events, [
      { type: 'MODIFIED', object: dep('a') },
      { type: 'MODIFIED', object: dep('a', 2) },
      { type: 'DELETED', object: dep('a', 2) },
    ]);
    // Four polls fit before the 5 s deadline; the last sleep is the deadline itself, with no read after it.
    assert.deepEqual(clock.sleeps, [1000, 1000, 1000, 1000, 1000]);
  });

  it('sends a BOOKMARK with the kind and a resourceVersion every bookmark period, only when the client allows them', async () => {
    const settings = (clock: WatchClock) => ({ maxMs: 200_000, pollMs: 1000, bookmarkMs: 3000, clock });
    const quiet = () => Promise.resolve([dep('a')]);
    const withBookmarks = await collect({ first: [dep('a')], read: quiet, timeoutMs: 7500, bookmarks: true, settings: settings(fakeClock()) });
    assert.deepEqual(withBookmarks.slice(1), [
      { type: 'BOOKMARK', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '1003000' } } },
      { type: 'BOOKMARK', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '1006000' } } },
    ]);
    const without = await collect({ first: [dep('a')], read: quiet, timeoutMs: 7500, settings: settings(fakeClock()) });
    assert.deepEqual(without.map((e) => e.type), ['MODIFIED']);
  });

  it('ends with an ERROR event holding a Status when a read fails mid-watch, and logs only the unexpected', async () => {
    const logged: unknown[] = [];
    const broken = await collect({ first: [dep('a')], read: () => Promise.reject(new Error('table storage is down')), settings: { maxMs: 1, pollMs: 1000, bookmarkMs: 1, clock: fakeClock(), onError: (e) => logged.push(e) } });
    assert.deepEqual(broken.at(-1), { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'The server could not complete the request. It has been logged.', reason: 'InternalError', code: 500 } });
    assert.equal(broken.length, 2);
    assert.equal(logged.length, 1);
    const refused = await collect({ first: [], read: () => Promise.reject(kubeFail(403, 'no')), settings: { maxMs: 1, pollMs: 1000, bookmarkMs: 1, clock: fakeClock(), onError: (e) => logged.push(e) } });
    assert.equal((refused[0]!.object as { code: number }).code, 403);
    assert.equal(logged.length, 1);
  });

  it('stops polling at once when its signal aborts', async () => {
    const stop = new AbortController();
    let reads = 0;
    const clock = fakeClock(() => {
      if (reads === 2) stop.abort();
    });
    await collect({ first: [], read: () => Promise.resolve((reads++, [])), timeoutMs: 60_000, signal: stop.signal, settings: { maxMs: 200_000, pollMs: 1000, bookmarkMs: 60_000, clock } });
    assert.equal(reads, 2);
  });
});

describe('watch: the response stream', () => {
  it('starts with an empty chunk, writes one JSON WatchEvent per line, and cancelling it aborts the loop', async () => {
    let seen: AbortSignal | undefined;
    const stream = watchStream(async function* (signal) {
      seen = signal;
      yield { type: 'MODIFIED', object: dep('a') };
      yield { type: 'ADDED', object: dep('b') };
      await new Promise(() => undefined); // a watch that would go on for ever
    });
    const reader = stream.getReader();
    // First an empty chunk: it makes the worker send the headers before there is an event.
    assert.equal((await reader.read()).value?.length, 0);
    const lines = [];
    for (let i = 0; i < 2; i++) lines.push(new TextDecoder().decode((await reader.read()).value));
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), [{ type: 'MODIFIED', object: dep('a') }, { type: 'ADDED', object: dep('b') }]);
    assert.ok(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
    void reader.cancel();
    assert.equal(seen?.aborted, true);
  });
});
