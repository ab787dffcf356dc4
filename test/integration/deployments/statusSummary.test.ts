// GET .../status from the reconciler's status summary: through the local host,
// the real @azure/data-tables clients against Azurite (behind a proxy that
// counts their requests) and the IoT Hub simulator. Issue #18: a status read
// costs the same table requests for 3 hubs as for 12, says which source it
// used and how old the summary is, and falls back to live reads honestly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { tableHubStatusStore } from '../../../shared/adapters/tables/tableHubStatusStore';
import { tableMetricsStore } from '../../../shared/adapters/tables/tableMetricsStore';
import { tableRolloutStatusStore } from '../../../shared/adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from '../../../shared/adapters/tables/tableRolloutStore';
import { type DeploymentStatus, deploymentStatus } from '../../../shared/services/deployments/deploymentStatus';
import { healthDeviceCounts } from '../../../shared/services/health/healthQueries';
import { hubMetricsDeviceCounts } from '../../../shared/services/reconcile/deviceCounts';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const HUBS = Array.from({ length: 12 }, (_, i) => ({ name: `hub${String(i).padStart(2, '0')}`, region: `region-${i}`, labels: { geo: 'eu' } }));

describe('deployment status from the status summary', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ iothub: { hubs: HUBS, fleet: 2 }, settings: { STATUS_SUMMARY_MAX_AGE_SECONDS: '600' }, countTableRequests: true });
    for (const [id, hubs] of [['few', HUBS.slice(0, 3)], ['many', HUBS]] as const) {
      const res = await stack.api('deployments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, target: { selector: { env: 'prod' } }, hubSelector: { names: hubs.map((h) => h.name) }, manifest: { modules: { web: { image: 'nginx:1.25' } } } }),
      });
      assert.equal(res.status, 201, await res.text());
    }
  });
  after(async () => stack?.stop());

  /** One status read and the table requests it made (nothing else runs: timers are manual, ingestion is off). */
  async function read(id: string): Promise<{ status: DeploymentStatus; tableRequests: number; requests: readonly string[] }> {
    stack.tableRequests!.reset();
    const res = await stack.api(`deployments/${id}/status`);
    assert.equal(res.status, 200);
    const status = (await res.json()) as DeploymentStatus;
    return { status, tableRequests: stack.tableRequests!.count(), requests: [...stack.tableRequests!.requests()] };
  }
  const reconcile = async () => assert.equal((await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey })).status, 200);

  it('reads live, and says so, before any pass wrote a summary: the cost grows with the hubs', async () => {
    await read('few'); // first use of each table creates it once per instance
    const few = await read('few');
    const many = await read('many');
    assert.equal(few.status.source, 'live');
    assert.equal(few.status.summaryAsOf, null);
    assert.equal(many.status.hubs.length, 12);
    assert.ok(many.tableRequests > few.tableRequests + 9 * 4, `live reads grow with hubs: ${few.tableRequests} for 3, ${many.tableRequests} for 12`);
  });

  it('after a pass, answers from the summary with the same 4 table requests for 3 hubs and 12, and its age', async () => {
    const before = Date.now();
    await reconcile();
    await read('few');
    const few = await read('few');
    const many = await read('many');
    for (const r of [few, many]) {
      assert.equal(r.status.source, 'summary', JSON.stringify(r.status));
      assert.ok(r.tableRequests <= 4, `table requests: ${r.requests.join(', ')}`);
      const asOf = Date.parse(r.status.summaryAsOf!);
      assert.ok(asOf >= before - 1000 && asOf <= Date.now(), `summaryAsOf ${r.status.summaryAsOf}`);
      // Every hub's own counts are in the summary, none older than the summary itself.
      assert.ok(r.status.hubs.every((h) => h.metrics && h.hubReachable === true), JSON.stringify(r.status.hubs));
      assert.ok(r.status.dataAsOf && Date.parse(r.status.dataAsOf) <= asOf);
      assert.ok(r.status.conditions.some((c) => c.type === 'Progressing'), 'the pass\'s conditions come with it');
    }
    assert.equal(many.status.hubs.length, 12);
    assert.equal(few.tableRequests, many.tableRequests, `3 hubs: ${few.requests.join(', ')}; 12 hubs: ${many.requests.join(', ')}`);
  });

  it('says what a live read of the same tables says', async () => {
    const summary = (await read('many')).status;
    // The same use case over the same tables through the SDK, with no summary store: a live read.
    const client = (name: string) => TableClient.fromConnectionString(stack.azurite.connectionString, name, { allowInsecureConnection: true });
    const metrics = tableMetricsStore(client('configmetrics'));
    const store = tableDeploymentStore(client('deployments'));
    const deps = {
      store,
      metrics,
      hubStatus: tableHubStatusStore(client('hubstatus')),
      deviceCounts: healthDeviceCounts(tableHealthStore(client, client('healthdeadletters')), () => HUBS.map((h) => h.name), hubMetricsDeviceCounts(metrics)),
      rolloutStatus: tableRolloutStatusStore(client('rolloutstatus')),
      rollouts: tableRolloutStore(client('rollouts')),
    };
    const live = await deploymentStatus(deps, 'many');
    assert.equal(live.source, 'live');
    const { source: _s, summaryAsOf: _a, ...fromLive } = live;
    const { source: _s2, summaryAsOf: _a2, ...fromSummary } = summary;
    assert.deepEqual(fromSummary, fromLive);
  });

  it('falls back to live reads when the revision changed since the pass, until the next pass', async () => {
    const etag = (await read('few')).status.etag;
    const res = await stack.api('deployments/few', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': etag }, body: JSON.stringify({ manifest: { modules: { web: { image: 'nginx:1.26' } } } }) });
    assert.ok(res.status === 200 || res.status === 202, await res.text());
    const after = await read('few');
    assert.equal(after.status.revision, 2);
    assert.equal(after.status.source, 'live');
    assert.equal(after.status.summaryAsOf, null);
    await reconcile();
    const next = await read('few');
    assert.equal(next.status.source, 'summary');
    assert.equal(next.status.revision, 2);
  });
});
