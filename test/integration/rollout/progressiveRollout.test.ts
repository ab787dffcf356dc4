// Progressive rollouts end to end below HTTP: the deployments service commits
// revisions, the reconciler advances waves on a moved clock, ingested health
// (real events, Azurite tables) feeds the gates, and every store is built anew
// for each pass, as after a restart: the rollout resumes from stored state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { blobPassLease } from '../../../shared/adapters/blobs/blobPassLease';
import { tableDeploymentStore } from '../../../shared/adapters/tables/tableDeploymentStore';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { tableRolloutStatusStore } from '../../../shared/adapters/tables/tableRolloutStatusStore';
import { tableRolloutStore } from '../../../shared/adapters/tables/tableRolloutStore';
import type { HubSetting } from '../../../shared/config/settings';
import { deploymentStatus } from '../../../shared/services/deployments/deploymentStatus';
import { createDeployment, type DeploymentsDeps, replaceDeployment } from '../../../shared/services/deployments/deploymentsService';
import { lruHealthCache } from '../../../shared/services/health/healthCache';
import { healthDeviceCounts } from '../../../shared/services/health/healthQueries';
import { type IngestDeps, ingestHealth } from '../../../shared/services/health/ingestHealth';
import { hubMetricsDeviceCounts } from '../../../shared/services/reconcile/deviceCounts';
import { reconcilePass } from '../../../shared/services/reconcile/reconcilePass';
import { applyPushes } from '../../../shared/services/registry/applyPushes';
import { controlRollout } from '../../../shared/services/rollout/controlRollout';
import { azuriteTable } from '../../helpers/azuriteTable';
import { fixtureHubs, healthEvent, stampConfiguration } from '../../helpers/healthFixtures';
import { memoryFleet, MemoryHub } from '../../helpers/memoryHub';
import { buildConfiguration } from '../../helpers/revisions';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const hubSettings: HubSetting[] = [
  { name: 'weu', region: 'westeurope', labels: { ring: 'canary' }, connection: 'weu.azure-devices.net', units: 1 },
  { name: 'eus', region: 'eastus', labels: {}, connection: 'eus.azure-devices.net', units: 1 },
];

const body = (id: string, image: string, rollout?: Record<string, unknown>) =>
  JSON.stringify({
    id,
    target: { condition: "tags.env='prod'" },
    manifest: { modules: { web: { image } } },
    ...(rollout ? { rollout } : {}),
  });
const twoWaves = (onFailure: 'pause' | 'rollback') => ({
  waves: [
    { name: 'canary', hubSelector: { labels: { ring: 'canary' } }, soakSeconds: 300 },
    { name: 'rest', hubSelector: {}, soakSeconds: 300 },
  ],
  gate: { maxFailedPercent: 20, minSucceeded: 2 },
  onFailure,
});

describe('progressive rollouts', () => {
  let azurite: AzuriteHandle;
  let hubs: MemoryHub[];
  let clock = T0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => azurite.stop());

  // Fresh clients every time: nothing survives in memory between passes but the hubs.
  const stores = () => {
    const health = tableHealthStore((name) => azuriteTable(azurite, name), azuriteTable(azurite, 'healthdeadletters'));
    return {
      store: tableDeploymentStore(azuriteTable(azurite, 'deployments')),
      rollouts: tableRolloutStore(azuriteTable(azurite, 'rollouts')),
      rolloutStatus: tableRolloutStatusStore(azuriteTable(azurite, 'rolloutstatus')),
      health,
      counts: healthDeviceCounts(health, () => hubSettings.map((h) => h.name), hubMetricsDeviceCounts({ forDeployment: () => Promise.resolve([]), all: () => Promise.resolve([]), record: () => Promise.resolve(), remove: () => Promise.resolve() })),
    };
  };
  const fleet = () => memoryFleet(hubs, { labels: { weu: { ring: 'canary' } } });
  const deps = (): DeploymentsDeps => ({ store: stores().store, rollouts: stores().rollouts, fleet: fleet(), hubSettings, configurationFor: buildConfiguration, registryCredentialNames: [], now: () => new Date(clock) });
  const pass = async (atSeconds: number) => {
    clock = T0 + atSeconds * 1000;
    const s = stores();
    const report = await reconcilePass(blobPassLease(new ContainerClient(azurite.connectionString, 'leases'), 'reconcile'), {
      store: s.store,
      configurationFor: buildConfiguration,
      fleet: fleet(),
      budgetMs: 30_000,
      deviceCounts: s.counts,
      rolloutStatus: s.rolloutStatus,
      rollouts: s.rollouts,
      now: () => new Date(clock),
    });
    assert.ok(report.ran);
    return report;
  };
  const rollout = async (id: string) => (await stores().rollouts.get(id))?.state;
  const configs = (hub: string, id: string) => [...hubs.find((h) => h.hub === hub)!.configs.keys()].filter((c) => c.startsWith(`${id}-`)).sort();
  const created = (hub: string) => hubs.find((h) => h.hub === hub)!.calls.filter((c) => c.startsWith('create '));

  /** A device of `hub` got `configurationId` and reports its module as `status` (running: succeeded; failed: failed). Device ids are per configuration. */
  const device = (hub: string, name: string, configurationId: string, image: string, status: 'running' | 'failed', atSeconds: number) => {
    const deviceId = `${configurationId}-${name}`;
    return [
    healthEvent('twin-change-edgeagent-desired', {
      hub,
      deviceId,
      version: 2,
      at: iso(atSeconds),
      body: (b) => {
        stampConfiguration(b, configurationId);
        (b.properties as { desired: { modules: unknown } }).desired.modules = { web: { status: 'running', settings: { image } } };
      },
    }),
    healthEvent('twin-change-edgeagent-reported', {
      hub,
      deviceId,
      version: 3,
      at: iso(atSeconds + 5),
      body: (b) => Object.assign((b.properties as { reported: Record<string, unknown> }).reported, { modules: { web: { runtimeStatus: status, exitCode: status === 'failed' ? 1 : 0, settings: { image } } } }),
    }),
    ];
  };
  const ingest = async (events: ReturnType<typeof device>[]) => {
    const deps: IngestDeps = { store: stores().health, cache: lruHealthCache(1000), offlineAfterSeconds: 3600, parallelism: 4, hubs: fixtureHubs };
    await ingestHealth(deps, events.flat());
  };

  it('rolls a healthy revision out wave by wave, after each soak, with offline devices visible but harmless', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    await createDeployment(deps(), body('api', 'nginx:1.25'), 'application/json');
    const change = await replaceDeployment(deps(), 'api', 1, body('api', 'nginx:1.26', twoWaves('rollback')), 'application/json');
    assert.deepEqual(change.deployment.revision, 2);
    assert.deepEqual(configs('weu', 'api'), ['api-r2'], 'the canary wave gets the revision at once');
    assert.deepEqual(configs('eus', 'api'), ['api-r1'], 'later waves keep the previous revision');
    assert.equal((await rollout('api'))?.phase, 'applying');

    await pass(10);
    assert.equal((await rollout('api'))?.phase, 'soaking');
    await ingest([...['c1', 'c2', 'c3'].map((d) => device('weu', d, 'api-r2', 'nginx:1.26', 'running', 20)), device('weu', 'c4', 'api-r2', 'nginx:1.26', 'running', 20)]);
    await ingestHealth({ store: stores().health, cache: lruHealthCache(10), offlineAfterSeconds: 3600, parallelism: 1, hubs: fixtureHubs }, [healthEvent('connection-disconnected', { hub: 'weu', deviceId: 'api-r2-c4', version: 9, at: iso(30) })]);

    await pass(200);
    assert.equal((await rollout('api'))?.phase, 'soaking', 'the gate cannot pass before the soak ends');
    const complete = (await stores().rolloutStatus.get('api'))?.conditions.find((c) => c.type === 'Complete');
    assert.deepEqual([complete?.status, complete?.reason], ['False', 'HubsNotApplied'], 'a rollout holding hubs back is not Complete');
    assert.deepEqual(configs('eus', 'api'), ['api-r1']);

    await pass(320);
    let state = await rollout('api');
    assert.equal(state?.phase, 'applying');
    assert.equal(state?.wave, 1);
    assert.deepEqual(configs('eus', 'api'), ['api-r2'], 'wave 2 receives the revision once the canary gate passed');
    const passed = state?.history.find((h) => h.reason === 'GatePassed');
    assert.deepEqual([passed?.figures?.succeeded, passed?.figures?.offline, passed?.figures?.failed], [3, 1, 0], 'the offline device is reported, not failed');

    await pass(330);
    await ingest(['e1', 'e2'].map((d) => device('eus', d, 'api-r2', 'nginx:1.26', 'running', 335)));
    await pass(640);
    state = await rollout('api');
    assert.equal(state?.phase, 'completed');
    assert.deepEqual(
      state?.history.map((h) => `${h.wave}:${h.to}:${h.reason}`),
      ['0:applying:Started', '0:soaking:HubsApplied', '1:applying:GatePassed', '1:soaking:HubsApplied', '1:completed:GatePassed'],
    );

    const s = stores();
    const status = await deploymentStatus({ store: s.store, metrics: { forDeployment: () => Promise.resolve([]), all: () => Promise.resolve([]), record: () => Promise.resolve(), remove: () => Promise.resolve() }, hubStatus: { all: () => Promise.resolve([]), record: () => Promise.resolve() }, deviceCounts: s.counts, rolloutStatus: s.rolloutStatus, rollouts: s.rollouts }, 'api');
    assert.equal(status.rollout?.phase, 'completed');
    assert.deepEqual(status.rollout?.waves.map((w) => [w.name, w.hubs, w.state]), [['canary', ['weu'], 'done'], ['rest', ['eus'], 'done']]);
  });

  it('fails the canary gate on crashing devices and rolls back every hub that got the revision; later waves never receive it', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    await createDeployment(deps(), body('web', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(), 'web', 1, body('web', 'nginx:bad', twoWaves('rollback')), 'application/json');
    await pass(10);
    assert.equal((await rollout('web'))?.phase, 'soaking');

    await ingest([
      ...['c1', 'c2', 'c3'].map((d) => device('weu', d, 'web-r2', 'nginx:bad', 'failed', 20)),
      device('weu', 'c4', 'web-r2', 'nginx:bad', 'running', 20),
    ]);
    const report = await pass(60);
    assert.ok(report.ran && report.rollouts?.transitions.some((t) => t.reason === 'FailedPercentExceeded' && t.deploymentId === 'web'));

    const state = await rollout('web');
    assert.equal(state?.phase, 'rolledBack', 'the gate fails during the soak: a crashing image does not wait it out');
    assert.equal(state?.rollbackRevision, 3);
    const failed = state?.history.find((h) => h.reason === 'FailedPercentExceeded');
    assert.equal(failed?.figures?.failed, 3);
    assert.equal(failed?.figures?.failedPercent, 75);
    assert.deepEqual(configs('weu', 'web'), ['web-r3'], 'the canary hub runs the previous revision again');
    assert.deepEqual(configs('eus', 'web'), ['web-r3']);
    assert.ok(!created('eus').includes('create web-r2'), 'the second wave never received the bad revision');
    const head = await stores().store.getRevision('web', 3);
    assert.deepEqual(head?.cause, { kind: 'rollback', toRevision: 1 });
    assert.equal((head?.content.$edgeAgent as { 'properties.desired': { modules: { web: { settings: { image: string } } } } })['properties.desired'].modules.web.settings.image, 'nginx:1.25');

    // Later passes leave the rolled-back deployment alone.
    await pass(1000);
    assert.equal((await rollout('web'))?.phase, 'rolledBack');
    assert.deepEqual(configs('eus', 'web'), ['web-r3']);
  });

  // The canary wave narrowed to tags.ring='canary' inside the canary hub: the hub holds the new revision for those
  // devices and keeps the previous one for the rest, until the next wave takes the whole hub.
  const canaryDevicesFirst = (onFailure: 'pause' | 'rollback') => ({
    ...twoWaves(onFailure),
    waves: [
      { name: 'canary-devices', hubSelector: { labels: { ring: 'canary' } }, deviceSelector: { ring: 'canary' }, soakSeconds: 300 },
      ...twoWaves(onFailure).waves,
    ],
  });
  /** The canary hub's calls about this deployment (earlier tests' deployments live on in the same tables). */
  const ringCalls = () => hubs[0]!.calls.filter((c) => / ring-r/.test(c));
  const condition = (hub: string, id: string) => hubs.find((h) => h.hub === hub)!.configs.get(id)?.targetCondition;

  it('narrows a wave to tagged devices: the hub keeps the previous revision for the rest until a whole-hub wave', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    await createDeployment(deps(), body('ring', 'nginx:1.25'), 'application/json');
    const change = await replaceDeployment(deps(), 'ring', 1, body('ring', 'nginx:1.26', canaryDevicesFirst('rollback')), 'application/json');
    assert.deepEqual(configs('weu', 'ring'), ['ring-r1', 'ring-r2'], 'the canary hub holds both revisions');
    assert.equal(condition('weu', 'ring-r2'), "tags.env='prod' AND tags.ring='canary'", 'the new one for the canary devices only');
    assert.equal(condition('weu', 'ring-r1'), "tags.env='prod'", 'the previous one, older, for the rest');
    assert.deepEqual(configs('eus', 'ring'), ['ring-r1']);
    const weu = change.hubs.find((h) => h.hub === 'weu');
    assert.deepEqual([weu?.desiredRevision, weu?.narrowTo, weu?.alongsideRevision], [2, "tags.ring='canary'", 1]);

    // The kept configuration deleted behind the app's back comes back, and the narrowed one is made again after it:
    // on equal priority IoT Hub gives a device the newest, which must stay the canary's.
    hubs[0]!.configs.delete('ring-r1');
    hubs[0]!.calls.length = 0;
    await pass(10);
    assert.deepEqual(ringCalls(), ['create ring-r1', 'delete ring-r2', 'create ring-r2']);
    assert.equal((await rollout('ring'))?.phase, 'soaking');
    const complete = (await stores().rolloutStatus.get('ring'))?.conditions.find((c) => c.type === 'Complete');
    assert.deepEqual([complete?.status, complete?.reason], ['False', 'HubsNotApplied'], 'a hub narrowed to some devices is not there yet');

    await ingest(['c1', 'c2'].map((d) => device('weu', d, 'ring-r2', 'nginx:1.26', 'running', 20)));
    hubs[0]!.calls.length = 0;
    await pass(320);
    const state = await rollout('ring');
    assert.deepEqual([state?.phase, state?.wave], ['applying', 1]);
    assert.deepEqual(configs('weu', 'ring'), ['ring-r2'], 'the whole-hub wave widens the revision and drops the kept one');
    assert.equal(condition('weu', 'ring-r2'), "tags.env='prod'");
    assert.deepEqual(ringCalls(), ['update ring-r2', 'delete ring-r1'], 'widened before the kept one goes, so no device is left without');
    assert.deepEqual(configs('eus', 'ring'), ['ring-r1'], 'later waves still wait');
    const target = (await stores().store.hubTargets('ring')).find((t) => t.hub === 'weu');
    assert.deepEqual([target?.narrowTo, target?.alongsideRevision], [undefined, undefined]);

    await pass(330);
    await pass(640);
    assert.deepEqual([(await rollout('ring'))?.wave, configs('eus', 'ring')], [2, ['ring-r2']]);
  });

  it('rolls back from a narrowed canary: the revision never reaches the hub\'s other devices nor later waves', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    await createDeployment(deps(), body('ringbad', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(), 'ringbad', 1, body('ringbad', 'nginx:bad', canaryDevicesFirst('rollback')), 'application/json');
    await pass(10);
    await ingest(['c1', 'c2', 'c3'].map((d) => device('weu', d, 'ringbad-r2', 'nginx:bad', 'failed', 20)));
    await pass(60);
    const state = await rollout('ringbad');
    assert.deepEqual([state?.phase, state?.wave, state?.rollbackRevision], ['rolledBack', 0, 3]);
    assert.deepEqual([configs('weu', 'ringbad'), configs('eus', 'ringbad')], [['ringbad-r3'], ['ringbad-r3']]);
    assert.ok(!hubs[0]!.calls.includes('update ringbad-r2'), 'the bad revision was never widened to the whole canary hub');
    assert.ok(!created('eus').includes('create ringbad-r2'));
    const targets = await stores().store.hubTargets('ringbad');
    assert.ok(targets.every((t) => t.desiredRevision === 3 && t.narrowTo === undefined && t.alongsideRevision === undefined));
  });

  it('lets a person pause, resume, promote and abort', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    await createDeployment(deps(), body('ops', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(), 'ops', 1, body('ops', 'nginx:1.26', twoWaves('pause')), 'application/json');
    const control = (command: 'pause' | 'resume' | 'abort' | 'promote', atSeconds: number) => {
      clock = T0 + atSeconds * 1000;
      const s = stores();
      return controlRollout({ store: s.store, rollouts: s.rollouts, fleet: fleet(), configurationFor: buildConfiguration, now: () => new Date(clock) }, 'ops', command);
    };
    await assert.rejects(control('promote', 5), (e: { status: number }) => e.status === 409, 'nothing to promote before the wave is applied');
    await pass(10);
    await ingest(['c1', 'c2'].map((d) => device('weu', d, 'ops-r2', 'nginx:1.26', 'running', 20)));

    assert.equal((await control('pause', 100)).phase, 'paused');
    await pass(1000);
    assert.equal((await rollout('ops'))?.phase, 'paused', 'a paused rollout stays where it is');
    assert.deepEqual(configs('eus', 'ops'), ['ops-r1']);
    const resumed = await control('resume', 1000);
    assert.equal(resumed.phase, 'soaking');
    assert.equal(resumed.soakUntil, iso(1210), 'the soak left at the pause is kept');
    assert.equal((await control('promote', 1010)).nextEvaluationAt, iso(1010));
    await pass(1011);
    assert.equal((await rollout('ops'))?.wave, 1);
    assert.deepEqual(configs('eus', 'ops'), ['ops-r2']);

    const aborted = await control('abort', 1020);
    assert.equal(aborted.phase, 'rolledBack', 'abort rolls back at once');
    assert.deepEqual([configs('weu', 'ops'), configs('eus', 'ops')], [['ops-r3'], ['ops-r3']]);
    await assert.rejects(control('resume', 1030), (e: { status: number }) => e.status === 409);
  });
  it('starts a rollout the commit did not record, rolls out a first revision in waves, and lets a newer revision supersede an unfinished one', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    // A first revision with a rollout: later waves get nothing yet; with nothing to roll back to, a failed gate pauses.
    const { rollouts: _none, ...withoutRollouts } = deps();
    await createDeployment(withoutRollouts, body('first', 'nginx:bad', twoWaves('rollback')), 'application/json');
    assert.deepEqual([configs('weu', 'first'), configs('eus', 'first')], [['first-r1'], []]);
    assert.equal(await rollout('first'), undefined, 'as if the process died between the two writes');
    await pass(10);
    assert.equal((await rollout('first'))?.phase, 'soaking', 'the reconciler started it from the stored revision');
    await ingest(['c1', 'c2'].map((d) => device('weu', d, 'first-r1', 'nginx:bad', 'failed', 20)));
    await pass(30);
    const paused = await rollout('first');
    assert.equal(paused?.phase, 'paused');
    assert.match(paused?.history.at(-1)?.message ?? '', /nothing to roll back to/);
    assert.deepEqual(configs('eus', 'first'), []);

    // r2 is mid-rollout when r3 comes: r2's rollout is superseded, and r3 would roll back to r1 (r2 never ran everywhere).
    await createDeployment(deps(), body('chain', 'nginx:1.25'), 'application/json');
    await replaceDeployment(deps(), 'chain', 1, body('chain', 'nginx:1.26', twoWaves('rollback')), 'application/json');
    await pass(40);
    await replaceDeployment(deps(), 'chain', 2, body('chain', 'nginx:1.27', twoWaves('rollback')), 'application/json');
    const third = await rollout('chain');
    assert.deepEqual([third?.revision, third?.fromRevision, third?.phase], [3, 1, 'applying']);
    assert.deepEqual([configs('weu', 'chain'), configs('eus', 'chain')], [['chain-r3'], ['chain-r1']]);
  });
  it('starts a progressive rollout from a registry push', async () => {
    hubs = [new MemoryHub('weu'), new MemoryHub('eus')];
    clock = T0;
    const quick = { ...twoWaves('rollback'), waves: twoWaves('rollback').waves.map((w) => ({ ...w, soakSeconds: 0 })), gate: { maxFailedPercent: 20, minSucceeded: 0 } };
    const spec = { id: 'pushed', target: { condition: "tags.env='prod'" }, manifest: { modules: { web: { image: 'fleetacr.azurecr.io/edge/web:1.0.0', updatePolicy: { type: 'force' } } } }, rollout: quick };
    await createDeployment(deps(), JSON.stringify(spec), 'application/json');
    await pass(10);
    await pass(20);
    assert.equal((await rollout('pushed'))?.phase, 'completed', 'the first revision reached both waves');

    const report = await applyPushes(deps(), { provider: 'generic', deliveryId: 'd-9', pushes: [{ repository: 'fleetacr.azurecr.io/edge/web', tag: '1.1.0', deliveryId: 'd-9' }] }, { dryRun: false });
    assert.deepEqual(report.revisions.map((r) => r.revision), [2]);
    const state = await rollout('pushed');
    assert.deepEqual([state?.revision, state?.fromRevision, state?.phase, state?.wave], [2, 1, 'applying', 0]);
    assert.deepEqual([configs('weu', 'pushed'), configs('eus', 'pushed')], [['pushed-r2'], ['pushed-r1']], 'the push reaches the canary wave only');
  });
});
