import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LocalHost, startLocalHost } from '../../../local/host/host';
import { hostState } from '../../../local/host/functionsCore';
import type { LogEntry } from '../../../local/host/invoke';
import { startTimer } from '../../../local/host/timerTrigger';
import type { TimerRun } from '../../fixtures/hostApp/timerFunctions';
import { fixtureAppRoot, waitFor } from '../../helpers/fixtureApp';

const keys = { functionKey: 'function-key-1', masterKey: 'master-key-1' };

describe('local Functions host', () => {
  let host: LocalHost;
  const logs: LogEntry[] = [];
  const runs = () => (globalThis as { __timerRuns?: TimerRun[] }).__timerRuns ?? [];

  before(async () => {
    host = await startLocalHost({
      scriptRoot: fixtureAppRoot(join(__dirname, '..', '..', 'fixtures', 'hostApp', '*.js')),
      settings: { SLOW_TIMER_SCHEDULE: '*/1 * * * * *', SLOW_TIMER_MS: '1300' },
      port: 0,
      keys,
      logger: (entry) => logs.push(entry),
      timers: 'manual',
    });
  });
  after(async () => {
    await host.stop();
  });

  const url = (path: string) => `http://127.0.0.1:${host.port}/api/${path}`;

  it('registers the app through the standard @azure/functions calls', () => {
    assert.deepEqual(host.functions.map((f) => f.metadata.name).sort(), ['boom', 'bytes', 'echo', 'optional', 'slowTimer']);
  });

  it('maps route parameters, catch-alls, query, headers and body like the real host', async () => {
    const res = await fetch(url('items/42/a/b?x=1&y=two'), {
      method: 'POST',
      headers: { 'x-functions-key': keys.functionKey, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-echo'), 'yes');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.method, 'POST');
    assert.deepEqual(body.params, { id: '42', rest: 'a/b' });
    assert.deepEqual(body.query, { x: '1', y: 'two' });
    assert.equal(body.contentType, 'application/json');
    assert.equal(body.body, '{"hello":"world"}');
    assert.ok(logs.some((l) => l.category === 'user' && l.invocationId === body.invocationId && /echo 42/.test(l.message)));
  });

  it('checks function keys from the header or ?code=, and accepts the master key', async () => {
    assert.equal((await fetch(url('items/1/x'))).status, 401);
    assert.equal((await fetch(url('items/1/x'), { headers: { 'x-functions-key': 'wrong' } })).status, 401);
    assert.equal((await fetch(url(`items/1/x?code=${keys.functionKey}`))).status, 200);
    assert.equal((await fetch(url('items/1/x'), { headers: { 'x-functions-key': keys.masterKey } })).status, 200);
  });

  it('honours methods and optional parameters, and answers 404 for unknown routes', async () => {
    assert.equal(await (await fetch(url('opt'))).text(), 'hello nobody');
    assert.equal(await (await fetch(url('opt/ada'))).text(), 'hello ada');
    assert.equal((await fetch(url('opt'), { method: 'DELETE' })).status, 404);
    assert.equal((await fetch(url('nothing/here'))).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${host.port}/elsewhere`)).status, 404);
  });

  it('passes binary bodies through both ways', async () => {
    const res = await fetch(url('bytes'), { method: 'POST', body: new Uint8Array([1, 2, 3, 255]) });
    assert.equal(res.status, 201);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [255, 3, 2, 1]);
  });

  it('logs an invocation that throws, answers 500, and keeps running', async () => {
    assert.equal((await fetch(url('boom'))).status, 500);
    assert.ok(logs.some((l) => l.level === 'error' && /handler failed on purpose/.test(l.message)));
    assert.equal((await fetch(url('opt'))).status, 200);
  });

  it('never runs one timer twice at once; a run that had to wait is past due', async () => {
    const before = runs().length;
    // Three requests while the first run (1.3 s) is going: one runs, one waits, one coalesces into it.
    await Promise.all([host.runFunction('slowTimer'), host.runFunction('slowTimer'), host.runFunction('slowTimer')]);
    const mine = runs().slice(before);
    assert.equal(mine.length, 2);
    assert.ok(mine[1]!.start >= mine[0]!.end, 'second run started before the first ended');
    assert.equal(mine[0]!.isPastDue, false);
    assert.equal(mine[1]!.isPastDue, true);
  });

  it('runs timers through the admin API with the master key only', async () => {
    const before = runs().length;
    const post = (key: string) => fetch(`http://127.0.0.1:${host.port}/admin/functions/slowTimer`, { method: 'POST', headers: { 'x-functions-key': key }, body: '{}' });
    assert.equal((await post(keys.functionKey)).status, 401);
    assert.equal((await post(keys.masterKey)).status, 202);
    await waitFor(() => (runs().length > before ? true : undefined), 5000, 'the admin-triggered run');
  });
});

describe('timer schedules', () => {
  it('fires on its NCRONTAB schedule and reports the next occurrence', async () => {
    const fn = hostState.functions().find((f) => f.metadata.name === 'slowTimer')!;
    const seen: number[] = [];
    const timer = startTimer(
      { metadata: fn.metadata, callback: () => void seen.push(Date.now()) },
      { settings: { SLOW_TIMER_SCHEDULE: '*/1 * * * * *' }, logger: () => undefined },
    );
    try {
      await waitFor(() => (seen.length >= 2 ? true : undefined), 5000, 'two scheduled runs');
      // Whole-second ticks: every run lands just after a second boundary.
      for (const t of seen) assert.ok(t % 1000 < 900, `run at ${t} is not near a second boundary`);
    } finally {
      await timer.stop();
    }
  });
});
