// Issue #16 item 1: garbage collection cannot wipe a fleet. One installation
// deploys to every hub; then its deployments table is deleted (recreated
// empty on the next read), then the same app is pointed at another, empty
// storage account, then a second installation (its own INSTALLATION_ID and
// storage, as a staging app) shares the hubs and garbage-collects its own
// deployment. Not one configuration of the first installation may go; each
// fenced pass says so on GET /api/hubs and in a `reconcile.gcFenced` log line.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { TableServiceClient } from '@azure/data-tables';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { type ChildHost, startChildHost } from '../../helpers/childHost';

const DEPLOYMENTS = ['prod-web', 'prod-api', 'prod-cam'];

const deployment = (id: string) => ({
  id,
  hubSelector: {},
  target: { condition: "tags.env='prod'" },
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
});

interface PassReport {
  ran: boolean;
  summary: { deletes: number; gcFencedHubs: string[] };
}

describe('garbage collection cannot wipe a fleet (issue #16 item 1)', () => {
  let prod: AppStack;
  let other: AzuriteHandle;
  let firstInstallation: string[];
  before(async () => {
    // Without INSTALLATION_ID, as most operators start: the installation is named by the FleetStorage account.
    [prod, other] = await Promise.all([startAppStack(), startAzurite()]);
    for (const id of DEPLOYMENTS) {
      const created = await prod.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(id)) });
      assert.equal(created.status, 201, await created.text());
    }
    firstInstallation = configurationIds();
    assert.equal(firstInstallation.length, DEPLOYMENTS.length * prod.iothub.hubs.length);
  });
  after(async () => {
    await prod.stop();
    await other.stop();
  });

  const configurationIds = () => prod.iothub.simulator.hubs.flatMap((h) => [...h.configurations.items.keys()].map((id) => `${h.name}/${id}`)).sort();
  const missing = () => firstInstallation.filter((id) => !configurationIds().includes(id));
  type App = Pick<AppStack, 'api'>;
  const pass = async (app: App, key: string): Promise<PassReport> => {
    const response = await app.api('reconcile', { method: 'POST', key });
    assert.equal(response.status, 200);
    return (await response.json()) as PassReport;
  };
  const fencedOnHubs = async (app: App) =>
    ((await (await app.api('hubs')).json()) as { hubs: { name: string; garbageCollection: { fenced: boolean | null; reason: string | null } }[] }).hubs;

  it('1. the deployments table deleted: the pass is fenced (DesiredStateLost), deletes nothing and says why', async () => {
    await TableServiceClient.fromConnectionString(prod.azurite.connectionString, { allowInsecureConnection: true }).deleteTable('deployments');
    const report = await pass(prod, prod.keys.masterKey);
    assert.deepEqual(missing(), [], 'no configuration of the first installation deleted');
    assert.equal(report.summary.deletes, 0);
    assert.deepEqual([...report.summary.gcFencedHubs].sort(), prod.iothub.hubs.map((h) => h.name).sort());
    for (const hub of await fencedOnHubs(prod)) assert.deepEqual([hub.garbageCollection.fenced, hub.garbageCollection.reason], [true, 'DesiredStateLost'], hub.name);
    const line = prod.logs.find((l) => l.message.includes('"reconcile.gcFenced"'));
    assert.ok(line, 'a reconcile.gcFenced line');
    assert.equal(line.level, 'warning');
    assert.match(line.message, /"reason":"DesiredStateLost".*deployments table looks deleted/);
  });

  describe('other apps on the same hubs', () => {
    let host: ChildHost | undefined;
    afterEach(async () => {
      await host?.stop();
      host = undefined;
    });

    it('2. the same app pointed at another, empty storage account: fenced, nothing deleted', async () => {
      host = await startChildHost({ ...prod.settings, FleetStorage: other.connectionString, AzureWebJobsStorage: other.connectionString });
      const report = await pass(host, 'master');
      assert.deepEqual(missing(), [], 'no configuration of the first installation deleted');
      assert.equal(report.summary.deletes, 0);
      assert.equal(report.summary.gcFencedHubs.length, prod.iothub.hubs.length);
      assert.ok(host.lines.some((l) => l.includes('"reconcile.gcFenced"') && l.includes('DesiredStateLost')), host.lines.join('\n'));
    });

    it('3. a second installation (staging) on the same hubs deletes only its own configurations', async () => {
      // The fence off (100%): this case rests on the installation label alone, not on the fence catching it as well.
      host = await startChildHost({ ...prod.settings, FleetStorage: other.connectionString, AzureWebJobsStorage: other.connectionString, INSTALLATION_ID: 'staging', GC_MAX_DELETE_PERCENT: '100' });
      const created = await host.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment('stage-web')) });
      assert.equal(created.status, 201, await created.text());
      assert.equal(configurationIds().filter((id) => id.endsWith('/stage-web-r1')).length, prod.iothub.hubs.length);
      const kept = await pass(host, 'master');
      assert.deepEqual([kept.summary.deletes, kept.summary.gcFencedHubs], [0, []], "the first installation's configurations are not staging's orphans");
      // Staging deletes its deployment; its GC removes its configurations and nothing else.
      assert.equal((await host.api('deployments/stage-web', { method: 'DELETE', headers: { 'if-match': '*' } })).status < 300, true);
      await pass(host, 'master');
      assert.deepEqual(configurationIds().filter((id) => id.includes('stage-web')), [], "staging's own configurations are gone");
      assert.deepEqual(missing(), [], 'no configuration of the first installation deleted');
    });
  });
});
