// The deployments API end to end: the real function app in the local host,
// the real azure-iothub SDK against the IoT Hub simulator, Azurite for state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { type AppStack, fixture, startAppStack } from '../../helpers/appStack';
import { projectRoot, waitFor } from '../../helpers/fixtureApp';

interface Change {
  deployment: { id: string; revision: number; etag: string; targetCondition: string; hubs: string[] };
  hubs: { hub: string; state: string; configurationId: string | null; lastError: { code: string } | null }[];
  converged: boolean;
}

describe('deployments API', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({
      settings: { REGISTRY_CREDENTIALS: JSON.stringify({ 'acr-prod': { address: 'myacr.azurecr.io', username: 'myacr', password: 'registry-secret-value' } }) },
    });
  });
  after(async () => stack.stop());

  const registry = (hub: string) => {
    const h = stack.iothub.hubs.find((x) => x.name === hub)!;
    return createRegistry({ name: h.name, region: h.region, labels: h.labels, units: 1, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } });
  };
  const configurations = async (hub: string) => (await registry(hub).getConfigurations()).responseBody;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const adminHub = (hub: string, patch: unknown) => fetch(`${stack.iothub.adminUrl}/admin/hubs/${hub}`, { method: 'PATCH', body: JSON.stringify(patch) });
  const deployment = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    labels: { team: 'edge' },
    priority: 20,
    target: { selector: { env: 'prod', ring: ['canary', 'early'] } },
    hubSelector: { labels: { geo: 'eu' } },
    manifest: { modules: { web: { image: 'nginx:1.25', env: { MODE: 'edge' } } } },
    ...extra,
  });

  it('creates a configuration with the right content, target, priority and labels in each selected hub, and none elsewhere', async () => {
    const res = await post(deployment('web', { hubSelector: { names: ['weu', 'eus'] } }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/api/deployments/web');
    assert.equal(res.headers.get('etag'), '"r1"');
    const body = (await res.json()) as Change;
    assert.equal(body.converged, true);
    for (const hub of ['weu', 'eus']) {
      const [config] = (await configurations(hub)).filter((c) => c.id === 'web-r1');
      assert.ok(config, `web-r1 missing on ${hub}`);
      assert.equal(config.targetCondition, "tags.env='prod' AND tags.ring IN ['canary','early']");
      assert.equal(config.priority, 20);
      assert.deepEqual(config.labels, { team: 'edge', managedBy: 'edge-fleet-control-plane', fleetDeployment: 'web', fleetRevision: '1', fleetInstallation: 'devstoreaccount1' });
      const agent = (config.content!.modulesContent as Record<string, Record<string, { modules: Record<string, { settings: { image: string } }> }>>).$edgeAgent!['properties.desired']!;
      assert.equal(agent.modules.web?.settings.image, 'nginx:1.25');
    }
    assert.deepEqual((await configurations('sea')).map((c) => c.id), []);
  });

  it('makes a new configuration on update and removes the old one; a stale or missing If-Match is refused', async () => {
    const current = await stack.api('deployments/web');
    assert.equal(current.headers.get('etag'), '"r1"');
    const replace = (etag?: string) =>
      stack.api('deployments/web', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(etag ? { 'if-match': etag } : {}) },
        body: JSON.stringify(deployment('web', { hubSelector: { names: ['weu', 'eus'] }, manifest: { modules: { web: { image: 'nginx:1.26' } } } })),
      });
    assert.equal((await replace()).status, 428);
    assert.equal((await replace('"r7"')).status, 412);
    const res = await replace('"r1"');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"r2"');
    for (const hub of ['weu', 'eus']) assert.deepEqual((await configurations(hub)).map((c) => c.id), ['web-r2']);
    assert.equal((await replace('"r1"')).status, 412, 'the old ETag is stale now');
  });

  it('patches with a JSON merge patch, moves hubs, and keeps the history for rollback', async () => {
    const res = await stack.api('deployments/web', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"r2"' },
      body: JSON.stringify({ hubSelector: { names: ['sea'] }, priority: 30 }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual((await configurations('weu')).map((c) => c.id), []);
    assert.deepEqual((await configurations('sea')).map((c) => [c.id, c.priority]), [['web-r3', 30]]);

    const revisions = (await (await stack.api('deployments/web/revisions')).json()) as { items: { revision: number; cause: { kind: string } }[] };
    assert.deepEqual(revisions.items.map((r) => [r.revision, r.cause.kind]), [[1, 'create'], [2, 'update'], [3, 'patch']]);

    const rollback = await stack.api('deployments/web/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ revision: 1 }) });
    assert.equal(rollback.status, 200);
    const [restored] = (await configurations('weu')).filter((c) => c.id === 'web-r4');
    assert.ok(restored, 'rollback to r1 should put web-r4 (equal to r1) on weu');
    assert.equal(restored.priority, 20);
  });

  it('answers 202 when a hub is down, applies the others, and the reconciler finishes once it is back', async () => {
    await adminHub('eus', { outage: 'refuse' });
    try {
      const res = await post(deployment('api', { hubSelector: {} }));
      assert.equal(res.status, 202);
      const body = (await res.json()) as Change;
      const states = Object.fromEntries(body.hubs.map((h) => [h.hub, h.state]));
      assert.deepEqual(states, { eus: 'pending', sea: 'applied', weu: 'applied' });
    } finally {
      await adminHub('eus', { outage: 'none' });
    }
    // Force the retry now (the target waits for its backoff otherwise): an admin pass, then time.
    const pass = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.equal(pass.status, 200);
    const status = (await (await stack.api('deployments/api')).json()) as { hubs: { hub: string; state: string; nextAttemptAt: string | null }[] };
    const eus = status.hubs.find((h) => h.hub === 'eus')!;
    assert.ok(eus.state === 'pending' && eus.nextAttemptAt, 'still waiting for its backoff');
  });

  it('reports per-hub sync state and the hub’s own counts, with their freshness', async () => {
    const created = await post(deployment('metrics', { hubSelector: { names: ['weu'] }, target: { selector: { env: 'prod' } } }));
    assert.equal(created.status, 201);
    type Status = {
      hubs: { hub: string; state: string; configurationId: string; metrics: { targetedCount: number; reportedSuccessfulCount: number; asOf: string } | null }[];
      totals: { targetedCount: number };
      devices: { succeeded: number };
      conditions: { type: string; status: string; reason: string }[];
      dataAsOf: string | null;
    };
    const before = (await (await stack.api('deployments/metrics/status')).json()) as Status;
    assert.deepEqual(before.hubs.map((h) => [h.hub, h.state, h.configurationId, h.metrics]), [['weu', 'applied', 'metrics-r1', null]]);
    const prodDevices = (await (await fetch(`${stack.iothub.adminUrl}/admin/hubs`)).json()) as { name: string }[];
    assert.ok(prodDevices.length === 3);
    const status = await waitFor(async () => {
      await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
      const s = (await (await stack.api('deployments/metrics/status')).json()) as Status;
      const m = s.hubs[0]?.metrics;
      const complete = s.conditions.find((c) => c.type === 'Complete')?.status === 'True';
      return m && m.targetedCount > 0 && m.reportedSuccessfulCount === m.targetedCount && complete ? s : undefined;
    }, 30000, 'every targeted device to report success and the rollout to be Complete');
    assert.equal(status.totals.targetedCount, status.hubs[0]!.metrics!.targetedCount);
    assert.equal(status.devices.succeeded, status.totals.targetedCount);
    assert.equal(status.conditions.find((c) => c.type === 'Degraded')?.status, 'False');
    assert.ok(status.dataAsOf && Date.parse(status.dataAsOf) <= Date.now());
  });

  it('deletes: every configuration of the deployment goes, others stay', async () => {
    const res = await stack.api('deployments/web', { method: 'DELETE' });
    assert.equal(res.status, 200);
    for (const hub of ['weu', 'eus', 'sea']) assert.ok(!(await configurations(hub)).some((c) => c.id.startsWith('web-')));
    assert.equal((await stack.api('deployments/web')).status, 404);
  });

  it('translates a Kubernetes Deployment in YAML; registry secrets reach the hub but never a response', async () => {
    const yaml = readFileSync(fixture('deployments', 'kubernetes', 'deployment.yaml'), 'utf8');
    const res = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    assert.doesNotMatch(text, /registry-secret-value/);
    const { deployment: created } = JSON.parse(text) as Change;
    assert.deepEqual(created.hubs, ['weu'], 'edge-fleet.dev/hub-regions: westeurope, northeurope selects weu only');
    assert.equal(created.targetCondition, "tags.env='prod' AND tags.site='plant-7'");
    const [config] = (await configurations('weu')).filter((c) => c.id === 'opc-gateway-r1');
    const agent = (config?.content?.modulesContent as Record<string, Record<string, { runtime: { settings: { registryCredentials: Record<string, { password: string }> } }; modules: Record<string, { settings: { image: string } }> }>>).$edgeAgent!['properties.desired']!;
    assert.equal(agent.runtime.settings.registryCredentials['acr-prod']?.password, 'registry-secret-value');
    assert.equal(agent.modules.publisher?.settings.image, 'myacr.azurecr.io/iotedge/opc-publisher:2.9.4');
    const read = await (await stack.api('deployments/opc-gateway')).text();
    assert.doesNotMatch(read, /registry-secret-value/);
    assert.ok(!stack.logs.some((l) => l.message.includes('registry-secret-value')), 'a secret reached the logs');
  });

  it('refuses bad input with problem+json naming the field, never a 500, and stores nothing', async () => {
    const bad = await post(deployment('Bad_Id', { priority: -1 }));
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json');
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    assert.deepEqual(problem.errors.map((e) => e.pointer).sort(), ['/id', '/priority']);

    const unknownHub = await post(deployment('ok-id', { hubSelector: { names: ['mars'] } }));
    assert.equal(unknownHub.status, 400);
    assert.equal(((await unknownHub.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer, '/hubSelector/names/0');
    assert.equal((await stack.api('deployments/ok-id')).status, 404);

    assert.equal((await post('{"id": ')).status, 400);
    assert.equal((await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);
    assert.equal((await post('x'.repeat(1024 * 1024 + 1))).status, 413);
    assert.equal((await stack.api('deployments', { key: 'wrong' })).status, 401);
  });

  it('returns the first answer to a retried POST with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'create-cache-1' };
    const first = await post(deployment('cache'), headers);
    const second = await post(deployment('cache'), headers);
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal((await post(deployment('cache'))).status, 409, 'without the key, a second create conflicts');
    assert.equal((await post(deployment('cache', { priority: 99 }), headers)).status, 422);
  });

  it('describes every registered HTTP route in OpenAPI 3.1, generated from the same schemas', async () => {
    const res = await fetch(`${stack.baseUrl}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    assert.equal(doc.openapi, '3.1.0');
    for (const fn of stack.host.functions) {
      const trigger = Object.values(fn.metadata.bindings).find((b) => b.type === 'httpTrigger');
      if (!trigger) continue;
      // A catch-all `{*rest}` is the OpenAPI path parameter `{rest}`.
      const path = `/${String(trigger.route).replace(/\{\*(\w+)\}/g, '{$1}')}`;
      for (const method of trigger.methods as string[]) {
        assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} (${fn.metadata.name}) is missing from openapi.json`);
      }
    }
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[ref!], `dangling $ref ${ref}`);
    assert.ok(doc.components.schemas.DeploymentRequest?.properties?.manifest, 'the request schema documents the manifest');
  });

  it('reports each dependency in /health: tables and every hub, 503 when a hub is down', async () => {
    type Report = { status: string; checks: { name: string; status: string; detail?: string }[] };
    const healthy = (await (await stack.api('health')).json()) as Report;
    assert.deepEqual(healthy.checks.map((c) => [c.name, c.status]).sort(), [['hub:eus', 'ok'], ['hub:sea', 'ok'], ['hub:weu', 'ok'], ['settings', 'ok'], ['tables', 'ok']]);
    await adminHub('sea', { outage: 'refuse' });
    try {
      const res = await stack.api('health');
      assert.equal(res.status, 503);
      const report = (await res.json()) as Report;
      assert.equal(report.checks.find((c) => c.name === 'hub:sea')?.status, 'failed');
      assert.doesNotMatch(JSON.stringify(report), /SharedAccessKey|sig=/);
    } finally {
      await adminHub('sea', { outage: 'none' });
    }
  });

  it('lists deployments by page and label', async () => {
    const page = (await (await stack.api('deployments?pageSize=2&labelSelector=team=edge')).json()) as { items: { id: string }[]; continuationToken: string | null };
    assert.ok(page.items.length <= 2);
    assert.equal((await stack.api('deployments?pageSize=500')).status, 400);
    assert.ok(projectRoot);
  });
  it('rolls a revision out to the canary hub only; pause, promote and abort over routes with a colon', async () => {
    const base = { id: 'canary', target: { condition: "tags.env='prod'" }, hubSelector: { names: ['weu', 'eus'] }, manifest: { modules: { web: { image: 'nginx:1.25' } } } };
    assert.equal((await post(base)).status, 201);
    const rollout = { waves: [{ name: 'canary', hubSelector: { names: ['weu'] }, soakSeconds: 600 }, { name: 'rest', hubSelector: {} }], gate: { maxFailedPercent: 10 }, onFailure: 'pause' };
    const put = (body: unknown) => stack.api('deployments/canary', { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': '"r1"' }, body: JSON.stringify(body) });
    const bad = await put({ ...base, rollout: { ...rollout, gate: { maxFailedPercent: 120 } } });
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer), ['/rollout/gate/maxFailedPercent']);

    assert.equal((await put({ ...base, manifest: { modules: { web: { image: 'nginx:1.26' } } }, rollout })).status, 200);
    assert.deepEqual((await configurations('weu')).filter((c) => c.id.startsWith('canary-')).map((c) => c.id), ['canary-r2']);
    assert.deepEqual((await configurations('eus')).filter((c) => c.id.startsWith('canary-')).map((c) => c.id), ['canary-r1'], 'the second wave waits');

    const status = (await (await stack.api('deployments/canary/status')).json()) as { rollout: { phase: string; currentWave: { name: string }; waves: { name: string; hubs: string[] }[] } };
    assert.equal(status.rollout.phase, 'applying');
    assert.equal(status.rollout.currentWave.name, 'canary');
    assert.deepEqual(status.rollout.waves.map((w) => w.hubs), [['weu'], ['eus']]);

    const command = (name: string) => stack.api(`deployments/canary/rollout:${name}`, { method: 'POST' });
    const paused = await command('pause');
    assert.equal(paused.status, 200);
    assert.equal(((await paused.json()) as { phase: string }).phase, 'paused');
    const promote = await stack.api('deployments/canary/rollout%3Apromote', { method: 'POST' }); // an encoded colon is the same route
    assert.equal(promote.status, 409);
    assert.equal(promote.headers.get('content-type'), 'application/problem+json');
    const aborted = await command('abort');
    assert.equal(((await aborted.json()) as { phase: string }).phase, 'rolledBack');
    for (const hub of ['weu', 'eus']) assert.deepEqual((await configurations(hub)).filter((c) => c.id.startsWith('canary-')).map((c) => c.id), ['canary-r3']);
    assert.equal((await stack.api('deployments/nothing/rollout:pause', { method: 'POST' })).status, 404);
  });
});
