// The repository index against the real Table store (Azurite): a push reads
// only the revisions of the deployments that follow the pushed repository, and
// never misses one, whatever happened to the index: built late, rows gone
// stale, rows of commits still in flight, the whole table lost.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TableClient } from '@azure/data-tables';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableRepositoryIndex } from '../../../shared/adapters/tables/tableRepositoryIndex';
import type { HubSetting } from '../../../shared/config/settings';
import type { PushEvent } from '../../../shared/domain/registry/pushEvent';
import type { DeploymentStore } from '../../../shared/services/deployments/deploymentStore';
import { createDeployment, getDeployment, patchDeployment, rollbackDeployment } from '../../../shared/services/deployments/deploymentsService';
import { applyPushes, type PushDeps } from '../../../shared/services/registry/applyPushes';
import { indexedDeploymentStore } from '../../../shared/services/registry/indexedDeploymentStore';
import { ORPHAN_ROW_GRACE_MS } from '../../../shared/services/registry/pushCandidates';
import type { RepositoryIndex } from '../../../shared/services/registry/repositoryIndex';
import { azuriteTable } from '../../helpers/azuriteTable';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { buildConfiguration } from '../../helpers/revisions';

const SENSOR = 'fleetacr.azurecr.io/edge/sensor';
const hubSettings: HubSetting[] = [{ name: 'weu', region: 'westeurope', labels: {}, connection: 'weu.azure-devices.net', units: 1 }];
const push = (repository: string, tag: string): PushEvent => ({ repository, tag, deliveryId: `d-${tag}` });
const delivery = (p: PushEvent) => ({ provider: 'generic' as const, deliveryId: p.deliveryId, pushes: [p] });
const body = (id: string, image: string, policy: unknown = { type: 'semver', level: 'patch' }) =>
  JSON.stringify({ id, target: { selector: { env: 'prod' } }, hubSelector: { names: ['weu'] }, manifest: { modules: { m: { image, ...(policy ? { updatePolicy: policy } : {}) } } } });

let tables = 0;

describe('the repository index', () => {
  let azurite: AzuriteHandle;
  let indexTable: TableClient;
  let index: RepositoryIndex;
  let revisionReads: string[];
  let deps: PushDeps;
  let now: Date;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());
  beforeEach(() => {
    tables++;
    indexTable = azuriteTable(azurite, `imagerepositories${tables}`);
    index = tableRepositoryIndex(indexTable);
    const inner = tableDeploymentStore(azuriteTable(azurite, `deployments${tables}`));
    revisionReads = [];
    // Counts what a push reads: the cost the index exists to cut.
    const counted: DeploymentStore = { ...inner, getRevision: (id, n) => (revisionReads.push(id), inner.getRevision(id, n)) };
    now = new Date(); // rows carry the store's own clock
    deps = { store: indexedDeploymentStore(counted, index), repositoryIndex: index, fleet: memoryFleet([new MemoryHub('weu')]), hubSettings, configurationFor: buildConfiguration, registryCredentialNames: [], now: () => now };
  });

  const create = async (id: string, image: string, policy?: unknown) => createDeployment(deps, body(id, image, policy), 'application/json');
  const pushTo = async (repository: string, tag: string, dryRun = false) => {
    revisionReads = [];
    return applyPushes(deps, delivery(push(repository, tag)), { dryRun });
  };
  const imageOf = async (id: string) => ((await getDeployment(deps, id)).deployment.manifest as { modules: { m: { image: string } } }).modules.m.image;

  it('reads only the followers of the pushed repository once built, and a full scan builds it', async () => {
    await create('sensor-a', `${SENSOR}:1.4.2`);
    await create('sensor-b', `${SENSOR}:1.4.0`, { type: 'semver', level: 'minor' });
    for (let i = 0; i < 20; i++) await create(`other-${i}`, `fleetacr.azurecr.io/edge/other-${i}:1.0.0`);
    await create('pinned', `${SENSOR}:1.4.2`, null);
    assert.equal(await index.lookup(SENSOR), undefined, 'never built: not trusted');

    const first = await pushTo(SENSOR, '1.4.3');
    assert.deepEqual(first.revisions.map((r) => r.deploymentId), ['sensor-a', 'sensor-b']);
    assert.equal(revisionReads.length >= 23, true, 'the first push scans every current revision');

    const second = await pushTo(SENSOR, '1.4.4');
    assert.deepEqual(second.revisions.map((r) => [r.deploymentId, r.revision]), [['sensor-a', 3], ['sensor-b', 3]]);
    assert.deepEqual(revisionReads.sort(), ['sensor-a', 'sensor-a', 'sensor-b', 'sensor-b'], 'only the followers: the plan read and the commit path’s own read');
    assert.equal(await imageOf('sensor-a'), `${SENSOR}:1.4.4`);
  });

  it('finds deployments created, patched onto the repository, and rolled back onto it after the index was built', async () => {
    await create('seed', `${SENSOR}:1.0.0`);
    await pushTo(SENSOR, '0.0.1'); // builds the index (a downgrade: nothing moves)
    assert.ok(await index.lookup(SENSOR));

    await create('late', `${SENSOR}:1.4.2`);
    await create('mover', 'fleetacr.azurecr.io/edge/elsewhere:1.0.0');
    await patchDeployment(deps, 'mover', 1, { manifest: { modules: { m: { image: `${SENSOR}:1.4.2` } } } });
    await create('rolled', `${SENSOR}:1.4.2`);
    await patchDeployment(deps, 'rolled', 1, { manifest: { modules: { m: { image: 'fleetacr.azurecr.io/edge/elsewhere:1.0.0' } } } });
    await rollbackDeployment(deps, 'rolled', 2, 1);

    const report = await pushTo(SENSOR, '1.4.3');
    assert.deepEqual(report.changes.map((c) => c.deploymentId), ['late', 'mover', 'rolled']);
    assert.ok(!revisionReads.includes('elsewhere'), 'no scan');
  });

  it('drops rows of deployments that stopped following, keeps rows of commits in flight and of creates within the grace', async () => {
    await create('leaver', `${SENSOR}:1.4.2`);
    await create('stayer', `${SENSOR}:1.4.2`);
    await create('deleted', `${SENSOR}:1.4.2`);
    await pushTo(SENSOR, '0.0.1'); // build
    await patchDeployment(deps, 'leaver', 1, { manifest: { modules: { m: { image: 'fleetacr.azurecr.io/edge/elsewhere:1.0.0' } } } });
    await deps.store.markDeleted('deleted', undefined, now.toISOString());
    await index.record('stayer', 2, [SENSOR]); // revision 2 is being committed right now
    await index.record('ghost', 1, [SENSOR]); // a create whose head is not written yet

    const dry = await pushTo(SENSOR, '1.4.3', true);
    assert.deepEqual(dry.changes.map((c) => c.deploymentId), ['stayer']);
    assert.deepEqual((await index.lookup(SENSOR))?.map((e) => e.deploymentId), ['deleted', 'ghost', 'leaver', 'stayer'], 'a dry run removes nothing');

    await pushTo(SENSOR, '1.4.3');
    assert.deepEqual((await index.lookup(SENSOR))?.map((e) => [e.deploymentId, e.revision]), [['ghost', 1], ['stayer', 2]]);

    now = new Date(now.getTime() + ORPHAN_ROW_GRACE_MS + 60_000);
    await pushTo(SENSOR, '1.4.4');
    assert.deepEqual((await index.lookup(SENSOR))?.map((e) => [e.deploymentId, e.revision]), [['stayer', 3]], 'the orphan row outlived any request; stayer’s own push raised its row');
  });

  it('never removes a row written again after it was read', async () => {
    await index.record('sensor', 1, [SENSOR]);
    await index.markComplete(now.toISOString());
    const [read] = (await index.lookup(SENSOR))!;
    await index.record('sensor', 2, [SENSOR]);
    assert.equal(await index.remove(SENSOR, read!), false);
    await index.record('sensor', 1, [SENSOR]);
    assert.deepEqual((await index.lookup(SENSOR))?.map((e) => e.revision), [2], 'a row never goes down');
  });

  it('goes back to the full scan when the index table is lost, and rebuilds it', async () => {
    await create('sensor-a', `${SENSOR}:1.4.2`);
    await pushTo(SENSOR, '0.0.1');
    await create('sensor-b', `${SENSOR}:1.4.2`);
    await indexTable.deleteTable();

    const report = await pushTo(SENSOR, '1.4.3');
    assert.deepEqual(report.revisions.map((r) => r.deploymentId), ['sensor-a', 'sensor-b'], 'nobody missed');
    assert.deepEqual((await index.lookup(SENSOR))?.map((e) => [e.deploymentId, e.revision]), [['sensor-a', 2], ['sensor-b', 2]]);
  });

  it('fails a revision write whose index rows cannot be written, before anything is committed', async () => {
    const broken: RepositoryIndex = { ...index, record: () => Promise.reject(new Error('storage down')) };
    const store = indexedDeploymentStore(tableDeploymentStore(azuriteTable(azurite, `deployments${tables}`)), broken);
    await assert.rejects(createDeployment({ ...deps, store }, body('sensor', `${SENSOR}:1.4.2`), 'application/json'), /storage down/);
    assert.equal(await deps.store.get('sensor'), undefined);
  });
});
