// Registry pushes against the real Table store (Azurite) and in-memory hubs:
// which deployments move, what their new revisions record, and what does not happen.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import type { HubSetting } from '../../../shared/config/settings';
import type { PushEvent } from '../../../shared/domain/registry/pushEvent';
import type { DeploymentStore } from '../../../shared/services/deployments/deploymentStore';
import { createDeployment, type DeploymentsDeps, getDeployment, listRevisions, patchDeployment } from '../../../shared/services/deployments/deploymentsService';
import { applyPushes } from '../../../shared/services/registry/applyPushes';
import { azuriteTable } from '../../helpers/azuriteTable';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { buildConfiguration } from '../../helpers/revisions';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const hubSettings: HubSetting[] = [{ name: 'weu', region: 'westeurope', labels: {}, connection: 'weu.azure-devices.net', units: 1 }];

let table = 0;
const push = (repository: string, tag: string, digest?: string): PushEvent => ({ repository, tag, ...(digest ? { digest } : {}), deliveryId: 'd-1' });
const delivery = (...pushes: PushEvent[]) => ({ provider: 'generic' as const, deliveryId: 'd-1', pushes });

function deploymentBody(id: string, modules: Record<string, { image: string; updatePolicy?: unknown }>) {
  return JSON.stringify({ id, target: { selector: { env: 'prod' } }, hubSelector: { names: ['weu'] }, manifest: { modules } });
}

describe('registry pushes into deployments', () => {
  let azurite: AzuriteHandle;
  let store: DeploymentStore;
  let hub: MemoryHub;
  let deps: DeploymentsDeps;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());
  beforeEach(() => {
    store = tableDeploymentStore(azuriteTable(azurite, `deployments${++table}`));
    hub = new MemoryHub('weu');
    deps = { store, fleet: memoryFleet([hub]), hubSettings, configurationFor: buildConfiguration, registryCredentialNames: [] };
  });

  const image = async (id: string, module: string) => {
    const { deployment } = await getDeployment(deps, id);
    return (deployment.manifest as { modules: Record<string, { image: string }> }).modules[module]?.image;
  };
  const hubImage = (configId: string, module: string) => {
    const content = hub.configs.get(configId)?.content.modulesContent as Record<string, Record<string, { modules: Record<string, { settings: { image: string } }> }>> | undefined;
    return content?.$edgeAgent?.['properties.desired']?.modules[module]?.settings.image;
  };

  it('gives every deployment whose policy accepts the push one new revision, recorded as a registry change, and fans it out', async () => {
    await createDeployment(deps, deploymentBody('sensor', { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'semver', level: 'patch' } } }), 'application/json');
    await createDeployment(deps, deploymentBody('canary', { sensor: { image: 'FLEETACR.azurecr.io/edge/sensor:1.3.0', updatePolicy: { type: 'glob', pattern: '1.*' } } }), 'application/json');
    await createDeployment(deps, deploymentBody('pinned', { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2' } }), 'application/json');
    await createDeployment(deps, deploymentBody('other', { web: { image: 'nginx:1.25', updatePolicy: { type: 'force' } } }), 'application/json');

    const report = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.4.3', DIGEST_A)), { dryRun: false });

    assert.deepEqual(report.changes.map((c) => [c.deploymentId, c.from, c.to]), [
      ['canary', 'FLEETACR.azurecr.io/edge/sensor:1.3.0', 'FLEETACR.azurecr.io/edge/sensor:1.4.3'],
      ['sensor', 'fleetacr.azurecr.io/edge/sensor:1.4.2', 'fleetacr.azurecr.io/edge/sensor:1.4.3'],
    ]);
    assert.deepEqual(report.revisions, [{ deploymentId: 'canary', revision: 2, converged: true }, { deploymentId: 'sensor', revision: 2, converged: true }]);
    assert.deepEqual(report.failed, []);
    assert.equal(await image('sensor', 'sensor'), 'fleetacr.azurecr.io/edge/sensor:1.4.3', 'the spec says what runs, in the form the user wrote');
    assert.equal(await image('pinned', 'sensor'), 'fleetacr.azurecr.io/edge/sensor:1.4.2', 'no policy, no change');
    assert.equal(hubImage('sensor-r2', 'sensor'), 'fleetacr.azurecr.io/edge/sensor:1.4.3');
    assert.ok(!hub.configs.has('sensor-r1'), 'the old configuration is replaced');
    const revisions = await listRevisions(deps, 'sensor', { pageSize: 10 });
    assert.deepEqual(revisions.items.at(-1)?.cause, {
      kind: 'registry',
      provider: 'generic',
      deliveryId: 'd-1',
      changes: [{ module: 'sensor', previousImage: 'fleetacr.azurecr.io/edge/sensor:1.4.2', image: 'fleetacr.azurecr.io/edge/sensor:1.4.3' }],
    });
  });

  it('changes nothing on a dry run, and nothing twice when the same push comes again', async () => {
    await createDeployment(deps, deploymentBody('sensor', { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'semver', level: 'minor' } } }), 'application/json');
    const calls = hub.calls.length;
    const dry = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.5.0')), { dryRun: true });
    assert.deepEqual(dry.changes.map((c) => c.to), ['fleetacr.azurecr.io/edge/sensor:1.5.0']);
    assert.deepEqual(dry.revisions, []);
    assert.equal((await getDeployment(deps, 'sensor')).deployment.revision, 1);
    assert.equal(hub.calls.length, calls, 'no hub was touched');

    await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.5.0')), { dryRun: false });
    const again = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.5.0')), { dryRun: false });
    assert.deepEqual(again.revisions, []);
    assert.deepEqual(again.skipped.map((s) => s.reason), ['same tag (use a digest policy to follow re-pushes)']);
    assert.equal((await getDeployment(deps, 'sensor')).deployment.revision, 2);
  });

  it('pins a re-pushed tag by digest, moves several modules in one revision, and refuses a downgrade', async () => {
    await createDeployment(
      deps,
      deploymentBody('gateway', {
        gateway: { image: 'fleetacr.azurecr.io/edge/gateway:stable', updatePolicy: { type: 'digest' } },
        sidecar: { image: 'fleetacr.azurecr.io/edge/gateway:2.0.0', updatePolicy: { type: 'semver', level: 'major' } },
      }),
      'application/json',
    );
    const first = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/gateway', 'stable', DIGEST_A), push('fleetacr.azurecr.io/edge/gateway', '2.1.0', DIGEST_A)), { dryRun: false });
    assert.deepEqual(first.revisions.map((r) => [r.deploymentId, r.revision]), [['gateway', 2]], 'one revision for both modules');
    assert.equal(await image('gateway', 'gateway'), `fleetacr.azurecr.io/edge/gateway:stable@${DIGEST_A}`);
    assert.equal(await image('gateway', 'sidecar'), 'fleetacr.azurecr.io/edge/gateway:2.1.0');
    assert.equal(hubImage('gateway-r2', 'gateway'), `fleetacr.azurecr.io/edge/gateway:stable@${DIGEST_A}`);

    const second = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/gateway', 'stable', DIGEST_B), push('fleetacr.azurecr.io/edge/gateway', '1.9.9')), { dryRun: false });
    assert.equal(await image('gateway', 'gateway'), `fleetacr.azurecr.io/edge/gateway:stable@${DIGEST_B}`, 'the new digest of the same tag');
    assert.equal(await image('gateway', 'sidecar'), 'fleetacr.azurecr.io/edge/gateway:2.1.0');
    assert.ok(second.skipped.some((s) => s.module === 'sidecar' && /downgrade/.test(s.reason)));
  });

  it('re-plans a deployment someone changed meanwhile, keeping their change', async () => {
    await createDeployment(deps, deploymentBody('sensor', { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'semver', level: 'patch' } } }), 'application/json');
    let raced = false;
    const racing: DeploymentStore = {
      ...store,
      addRevision: async (id, expected, next) => {
        if (!raced) {
          raced = true;
          await patchDeployment({ ...deps, store }, id, expected, { priority: 42 });
        }
        return store.addRevision(id, expected, next);
      },
    };
    const report = await applyPushes({ ...deps, store: racing }, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.4.3')), { dryRun: false });
    assert.deepEqual(report.revisions.map((r) => r.revision), [3]);
    const { deployment } = await getDeployment(deps, 'sensor');
    assert.equal(deployment.priority, 42);
    assert.equal(await image('sensor', 'sensor'), 'fleetacr.azurecr.io/edge/sensor:1.4.3');
  });

  it('reports a deployment it cannot change and still changes the others', async () => {
    await createDeployment(deps, deploymentBody('stranded', { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'force' } } }), 'application/json');
    await createDeployment(
      { ...deps, hubSettings: [...hubSettings, { name: 'eus', region: 'eastus', labels: {}, connection: 'eus.azure-devices.net', units: 1 }] },
      JSON.stringify({ id: 'moved', target: { selector: { env: 'prod' } }, hubSelector: { names: ['eus'] }, manifest: { modules: { sensor: { image: 'fleetacr.azurecr.io/edge/sensor:1.4.2', updatePolicy: { type: 'force' } } } } }),
      'application/json',
    );
    const report = await applyPushes(deps, delivery(push('fleetacr.azurecr.io/edge/sensor', '1.4.3')), { dryRun: false });
    assert.deepEqual(report.failed.map((f) => [f.deploymentId, f.code]), [['moved', 'UnknownHub']], 'its hub left the HUBS setting');
    assert.deepEqual(report.revisions.map((r) => r.deploymentId), ['stranded']);
  });
});
