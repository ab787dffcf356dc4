// HTTP streams in the local host (app.setup({ enableHttpStream: true })): the
// request goes to the worker's proxy server and the response streams back as
// the function writes it, while every ordinary answer stays what it was.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { workerCapabilities } from '../../../local/host/capabilities';
import { type LocalHost, startLocalHost } from '../../../local/host/host';
import type { LogEntry } from '../../../local/host/invoke';
import type { StreamProbe } from '../../fixtures/streamApp/streamFunctions';
import { fixtureAppRoot, waitFor } from '../../helpers/fixtureApp';

const keys = { functionKey: 'function-key-1', masterKey: 'master-key-1' };
const probe = () => (globalThis as { __streamProbe?: StreamProbe }).__streamProbe;

describe('local Functions host with HTTP streams on', () => {
  let host: LocalHost;
  const logs: LogEntry[] = [];
  before(async () => {
    host = await startLocalHost({
      scriptRoot: fixtureAppRoot(join(__dirname, '..', '..', 'fixtures', 'streamApp', '*.js')),
      settings: {},
      port: 0,
      keys,
      logger: (entry) => logs.push(entry),
    });
  });
  after(async () => host.stop());
  const url = (path: string) => `http://127.0.0.1:${host.port}/api/${path}`;

  it('reads the worker\'s capabilities after loading the app, so the proxy address is reported', async () => {
    assert.match((await workerCapabilities()).HttpUri ?? '', /^http:\/\/localhost:\d+\/$/);
  });

  it('delivers the first chunk of a ReadableStream body while the function is still writing', async () => {
    const res = await fetch(url('chunks'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(res.headers.get('x-stream'), 'yes');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'first\n');
    // The function is parked until this test releases it: the chunk came out of a running invocation.
    assert.equal(probe()!.finished, false);
    probe()!.release!();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    assert.equal(rest, 'second\n');
    assert.equal(probe()!.finished, true);
  });

  it('keeps status, headers, cookies, route parameters, query and JSON bodies as without streams', async () => {
    const res = await fetch(url('items/42/a/b?x=1&y=two'), {
      method: 'POST',
      headers: { 'x-functions-key': keys.functionKey, 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('x-echo'), 'yes');
    assert.match(res.headers.get('set-cookie') ?? '', /^session=abc; Path=\/; HttpOnly$/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.method, 'POST');
    assert.deepEqual(body.params, { id: '42', rest: 'a/b' });
    assert.deepEqual(body.query, { x: '1', y: 'two' });
    assert.equal(body.contentType, 'application/json');
    assert.deepEqual(body.body, { hello: 'world' });
    assert.equal(body.url, `http://127.0.0.1:${host.port}/api/items/42/a/b?x=1&y=two`);
    // The proxy's correlation header is the host's and the worker's business, not the function's.
    assert.equal(body.invocationHeader, null);
  });

  it('passes binary and text bodies through, and answers a function returning nothing with 204', async () => {
    const bytes = await fetch(url('bytes'), { method: 'POST', body: new Uint8Array([1, 2, 3, 255]) });
    assert.equal(bytes.status, 201);
    assert.equal(bytes.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [255, 3, 2, 1]);
    const text = await fetch(url('text'), { method: 'POST', body: 'x'.repeat(70_000) });
    assert.equal(await text.text(), 'got 70000 characters');
    assert.equal((await fetch(url('nothing'))).status, 204);
  });

  it('keeps 401, 404 and 500 as the host answers them', async () => {
    assert.equal((await fetch(url('items/1/x'))).status, 401);
    assert.equal((await fetch(url('items/1/x'), { method: 'DELETE', headers: { 'x-functions-key': keys.functionKey } })).status, 404);
    assert.equal((await fetch(url('nowhere'))).status, 404);
    assert.equal((await fetch(url('boom'))).status, 500);
    assert.ok(logs.some((l) => l.level === 'error' && /handler failed on purpose/.test(l.message)));
    assert.equal((await fetch(url('bytes'), { method: 'POST', body: 'ok' })).status, 201);
  });

  it('fails the function\'s streamed request body when the client goes away mid-upload', async () => {
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const upload = new ReadableStream<Uint8Array>({ start: (c) => void (send = c) });
    const abort = new AbortController();
    const answered = fetch(url('upload'), { method: 'POST', body: upload, duplex: 'half', signal: abort.signal }).catch((e: unknown) => e);
    send.enqueue(new TextEncoder().encode('part one'));
    await waitFor(() => (probe()?.upload.chunks ? true : undefined), 10_000, 'the function to read the first chunk');
    abort.abort();
    await waitFor(() => probe()!.upload.failed, 10_000, 'the function to see its request body fail');
    assert.ok((await answered) instanceof Error);
  });
});
