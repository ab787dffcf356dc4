// Conformance: each documented routed event shape (test/fixtures/health/, with
// its Microsoft Learn source in SOURCES.md) sent through the real
// @azure/event-hubs producer into the project's Event Hubs endpoint, consumed
// by the local Functions host running the real healthIngest function, and read
// back through the API (GET /api/hubs/{hub}/devices/{id}/health) and the health
// tables in Azurite. Every event is addressed to the simulator's real IoT Hub
// name (iot-<token>-weu), as a hub deployed by infra/ names itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableServiceClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { healthTableName, hubPartitions } from '../../../shared/domain/health/healthKeys';
import type { DeviceCounts } from '../../../shared/domain/rollout/conditions';
import type { HealthStore } from '../../../shared/services/health/healthStore';
import type { DeadLetterView } from '../../../shared/services/health/deadLetters';
import type { DeviceHealthView } from '../../../shared/services/health/healthQueries';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { azuriteTable } from '../../helpers/azuriteTable';
import { waitFor } from '../../helpers/fixtureApp';
import { healthEvent, type HealthFixture, type Readdress, stampConfiguration } from '../../helpers/healthFixtures';
import { sendHealthEvents } from '../../helpers/sendHealthEvents';

/** How long an event may take from the producer to the tables on a loaded 2-core machine: a bound, not a sleep. */
const INGESTED_WITHIN_MS = 20_000;

describe('health ingestion conformance: documented event shapes through Event Hubs and the local host', () => {
  let stack: AppStack;
  let producer: EventHubProducerClient;
  let store: HealthStore;
  /** The real IoT Hub name of the hub configured as `weu`. */
  let realHub: string;
  // Each event gets its own time, a little in the past, so the API (which reads state against the wall clock) sees a live device.
  let clock = Date.now() - 120_000;
  const at = () => new Date((clock += 1000)).toISOString();

  before(async () => {
    stack = await startAppStack({ eventHubs: true, iothub: { fleet: 0 } });
    producer = new EventHubProducerClient(stack.eventHubs!.connectionString(), 'device-health');
    store = tableHealthStore((name) => azuriteTable(stack.azurite, name), azuriteTable(stack.azurite, 'healthdeadletters'));
    realHub = stack.iothub.hubs.find((h) => h.name === 'weu')!.resourceName;
  });
  after(async () => {
    await producer.close();
    await stack.stop();
  });

  const event = (name: HealthFixture, deviceId: string, options: Omit<Readdress, 'hub' | 'deviceId' | 'at'> = {}) => healthEvent(name, { hub: realHub, deviceId, at: at(), ...options });
  const send = (deviceId: string, ...events: ReturnType<typeof event>[]) => sendHealthEvents(producer, events, { partitionKey: deviceId });

  const health = async (deviceId: string) => {
    const response = await stack.api(`hubs/weu/devices/${deviceId}/health`);
    return response.status === 200 ? ((await response.json()) as DeviceHealthView) : undefined;
  };
  /** Polls the API until the device's health satisfies `ok`. */
  const healthWhen = (deviceId: string, ok: (h: DeviceHealthView) => boolean, what: string) =>
    waitFor(async () => {
      const h = await health(deviceId);
      return h && ok(h) ? h : undefined;
    }, INGESTED_WITHIN_MS, what);

  /** A configuration's counts over every shard of `weu` and every writer's row (as /status sums them). */
  const counts = async (configurationId: string): Promise<DeviceCounts> => {
    const sum: { -readonly [K in keyof DeviceCounts]: number } = { succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0 };
    for (const partition of hubPartitions('weu')) {
      for (const c of (await store.readCounters(partition)).values()) {
        if (c.configurationId !== configurationId) continue;
        for (const state of Object.keys(sum) as (keyof DeviceCounts)[]) sum[state] += c.counts[state];
      }
    }
    return sum;
  };

  /** Every live dead letter, read through GET /api/health/deadletters page by page. */
  const deadLetters = async (pageSize = 2) => {
    const out: DeadLetterView[] = [];
    let token: string | null = null;
    do {
      const response = await stack.api(`health/deadletters?pageSize=${pageSize}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
      assert.equal(response.status, 200, await response.clone().text());
      const page = (await response.json()) as { items: DeadLetterView[]; continuationToken: string | null };
      assert.ok(page.items.length <= pageSize);
      out.push(...page.items);
      token = page.continuationToken;
    } while (token);
    return out;
  };

  /** What the ingest function logged it refused (spoofed, unknown hub), over all its invocations so far. */
  const rejectedSoFar = () =>
    stack.logs
      .filter((l) => l.functionName === 'healthIngest' && l.message.includes('"health.ingest"'))
      .reduce((n, l) => n + Number((JSON.parse(l.message) as { rejected?: number }).rejected ?? 0), 0);

  /** A device running sensors-r2 as the agent reports it: desired properties, then edgeAgent's whole first report. */
  const deployed = (deviceId: string, configurationId?: string) => [
    event('connection-connected', deviceId, { version: 1 }),
    event('twin-change-edgeagent-desired', deviceId, { version: 10, ...(configurationId ? { body: (b) => stampConfiguration(b, configurationId) } : {}) }),
    event('twin-change-edgeagent-reported', deviceId, { version: 12 }),
  ];

  it('serves a hub’s events under its configured name, never under the real IoT Hub name', async () => {
    assert.match(realHub, /^iot-[a-z]+-weu$/, 'the simulator names hubs as infra/ does');
    await send('conf-hub', ...deployed('conf-hub'));
    const h = await healthWhen('conf-hub', (x) => x.state === 'succeeded', 'the device to be stored under weu');
    assert.equal(h.hub, 'weu');
    assert.deepEqual(h.deployment, { configurationId: 'sensors-r2', id: 'sensors', revision: 2 });
    assert.ok((await counts('sensors-r2')).succeeded >= 1, 'counted under weu');
    const tables: string[] = [];
    for await (const t of TableServiceClient.fromConnectionString(stack.azurite.connectionString, { allowInsecureConnection: true }).listTables()) tables.push(t.name ?? '');
    assert.ok(tables.includes(healthTableName('devicehealth', 'weu')));
    assert.ok(!tables.includes(healthTableName('devicehealth', realHub)), 'no table is made for the real name');
  });

  it('merges a reported patch: a restartCount-only patch keeps runtimeStatus, exitCode and image', async () => {
    await send('conf-patch', ...deployed('conf-patch'), event('twin-change-reported-patch', 'conf-patch', { version: 13 }));
    const h = await healthWhen('conf-patch', (x) => x.modules.sensor?.restartCount === 1, 'the patch to be applied');
    assert.deepEqual(
      { runtimeStatus: h.modules.sensor?.runtimeStatus, exitCode: h.modules.sensor?.exitCode, image: h.modules.sensor?.image },
      { runtimeStatus: 'running', exitCode: 0, image: 'contoso.azurecr.io/sensor:1.4.2' },
    );
    assert.equal(h.state, 'succeeded', 'a restart alone does not make the device progressing');
  });

  it('handles replaceTwin whole: the desired part it carries replaces the stored one', async () => {
    await send('conf-replace', ...deployed('conf-replace'));
    await healthWhen('conf-replace', (x) => x.modules.sensor?.desiredImage === 'contoso.azurecr.io/sensor:1.4.2', 'the deployment to be stored');
    await send('conf-replace', event('twin-replace-edgeagent', 'conf-replace', { version: 15 }));
    const h = await healthWhen('conf-replace', (x) => x.desiredVersion === 5, 'the replaced twin');
    assert.equal(h.modules.sensor?.desiredImage, null, 'the replaced desired properties hold no modules');
    assert.equal(h.modules.sensor?.runtimeStatus, 'running', 'its reported part is the whole report');
    assert.equal(h.deployment, null, 'no configuration.id is left on the desired modules');
  });

  it('tracks module connections per module: $edgeHub disconnecting leaves the device online', async () => {
    await send('conf-module', ...deployed('conf-module'), event('connection-module-disconnected', 'conf-module', { version: 9 }));
    let h = await healthWhen('conf-module', (x) => x.moduleConnections.$edgeHub?.connected === false, 'the module disconnect');
    assert.equal(h.connection?.connected, true);
    assert.equal(h.state, 'succeeded');
    await send('conf-module', event('connection-module-connected', 'conf-module', { version: 10 }));
    h = await healthWhen('conf-module', (x) => x.moduleConnections.$edgeHub?.connected === true, 'the module connect');
    assert.equal(h.connection?.connected, true);
  });

  it('counts system modules: $edgeHub failed while the user modules run fails the device', async () => {
    await send('conf-system', ...deployed('conf-system', 'system-r1'));
    await healthWhen('conf-system', (x) => x.state === 'succeeded', 'the device to succeed first');
    await send('conf-system', event('twin-change-system-module-failed', 'conf-system', { version: 14 }));
    const h = await healthWhen('conf-system', (x) => x.state === 'failed', 'the device to fail');
    assert.equal(h.systemModules.edgeHub?.runtimeStatus, 'failed');
    assert.equal(h.modules.sensor?.runtimeStatus, 'running');
    assert.deepEqual(await counts('system-r1'), { succeeded: 0, progressing: 0, failed: 1, offline: 0, unknown: 0 });
  });

  it('removes a deleted device from the counts and the API', async () => {
    await send('conf-delete', event('lifecycle-create-device', 'conf-delete'), ...deployed('conf-delete', 'lifecycle-r1'));
    await healthWhen('conf-delete', (x) => x.state === 'succeeded', 'the device to be counted');
    assert.equal((await counts('lifecycle-r1')).succeeded, 1);
    await send('conf-delete', event('lifecycle-delete-device', 'conf-delete'));
    await waitFor(async () => ((await stack.api('hubs/weu/devices/conf-delete/health')).status === 404 ? true : undefined), INGESTED_WITHIN_MS, 'the deleted device to be gone');
    assert.deepEqual(await counts('lifecycle-r1'), { succeeded: 0, progressing: 0, failed: 0, offline: 0, unknown: 0 });
  });

  it('rejects and counts a heartbeat whose body names another device', async () => {
    // edge-0002 is the device the spoofed body names; it reports once for itself first.
    const own = event('heartbeat', 'edge-0002');
    await send('edge-0002', own);
    const victim = await healthWhen('edge-0002', (x) => x.heartbeatAt !== null, 'the victim’s own heartbeat');
    const rejectedBefore = rejectedSoFar();
    await send('conf-spoofer', event('heartbeat-spoofed', 'conf-spoofer'));
    await waitFor(() => (rejectedSoFar() > rejectedBefore ? true : undefined), INGESTED_WITHIN_MS, 'the spoofed heartbeat to be counted as rejected');
    assert.equal((await health('edge-0002'))?.lastSeenAt, victim.lastSeenAt, 'the victim’s lastSeenAt did not move (the spoof said 9999)');
    assert.equal(await health('conf-spoofer'), undefined, 'nothing is stored for the sender either');
  });

  it('dead-letters a malformed event and ingests the next event on the same partition within seconds', async () => {
    await sendHealthEvents(producer, [event('poison-twin-change', 'conf-poison')], { partitionId: '0' });
    const sent = Date.now();
    await sendHealthEvents(producer, [event('twin-change-edgeagent-reported', 'conf-after-poison', { version: 5 })], { partitionId: '0' });
    await healthWhen('conf-after-poison', () => true, 'the event after the poison one');
    const tookMs = Date.now() - sent;
    console.log(`conformance: next event on the partition after a poison one ingested in ${tookMs} ms`);
    const letter = (await deadLetters()).find((l) => l.body.includes('"four"'));
    assert.ok(letter, 'the poison event is in the dead-letter table');
    assert.equal(letter.partitionId, '0');
    assert.match(letter.reason, /malformed twin change/);
  });

  it('bounds a device clock of 1500-01-01 by the enqueued time and keeps the partition moving', async () => {
    await sendHealthEvents(producer, [event('heartbeat-ancient-clock', 'conf-ancient')], { partitionId: '0' });
    await sendHealthEvents(producer, [event('heartbeat', 'conf-after-ancient')], { partitionId: '0' });
    await healthWhen('conf-after-ancient', () => true, 'the event after the ancient heartbeat');
    const h = await healthWhen('conf-ancient', () => true, 'the ancient heartbeat itself, stored');
    assert.ok(Date.parse(h.lastSeenAt ?? '') > Date.parse('2000-01-01'), 'lastSeenAt is the hub’s time, not the device’s');
  });

  it('dead-letters a device whose write storage refuses every time (413) and ingests the rest of its partition', async () => {
    // Hand-made, not a documented shape: a report so large that the record cannot fit in a table row,
    // storage's deterministic refusal (it could be retried forever and never succeed).
    const huge = event('twin-change-reported-patch', 'conf-too-large', {
      version: 13,
      body: (b) => {
        ((b.properties as { reported: { modules: Record<string, unknown> } }).reported.modules.sensor as Record<string, unknown>).runtimeStatus = 'x'.repeat(450_000);
      },
    });
    await sendHealthEvents(producer, [huge], { partitionId: '1' });
    await sendHealthEvents(producer, [event('heartbeat', 'conf-after-too-large')], { partitionId: '1' });
    await healthWhen('conf-after-too-large', () => true, 'the event after the refused one');
    const letter = await waitFor(
      async () => (await deadLetters(50)).find((l) => l.reason.includes('conf-too-large')),
      INGESTED_WITHIN_MS,
      'the refused device’s event to be dead-lettered',
    );
    assert.match(letter.reason, /storage refused device conf-too-large/);
    assert.equal(await health('conf-too-large'), undefined);
  });

  it('serves dead letters paged, with secrets redacted, and answers bad paging with problem+json', async () => {
    // A malformed desired-properties change (no twin version) that carries registry credentials, as a deployment's $edgeAgent twin does.
    const leaky = event('twin-change-edgeagent-desired', 'conf-leaky', {
      body: (b) => {
        delete b.version;
        ((b.properties as { desired: { runtime: { settings: Record<string, unknown> } } }).desired.runtime.settings).registryCredentials = {
          contoso: { username: 'contoso', password: 'hunter2-registry-password', address: 'contoso.azurecr.io' },
        };
      },
    });
    await sendHealthEvents(producer, [leaky], { partitionKey: 'conf-leaky' });
    const all = await waitFor(async () => {
      const letters = await deadLetters(1);
      return letters.some((l) => l.reason.includes('malformed twin change') && l.body.includes('contoso.azurecr.io')) ? letters : undefined;
    }, INGESTED_WITHIN_MS, 'the leaky event to be dead-lettered');
    assert.ok(all.length >= 3, 'several pages of one');
    assert.equal(new Set(all.map((l) => `${l.partitionId}/${l.sequenceNumber}`)).size, all.length, 'no letter twice across pages');
    assert.doesNotMatch(JSON.stringify(all), /hunter2/);
    assert.ok(all.every((l) => Date.parse(l.expiresAt) > Date.now() + 13 * 86_400_000), 'kept for DEAD_LETTER_TTL_DAYS (14 by default)');

    for (const [query, pointer] of [['pageSize=0', 'pageSize'], ['pageSize=abc', 'pageSize'], ['continuationToken=bm9wZQ', 'continuationToken']] as const) {
      const bad = await stack.api(`health/deadletters?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match(await bad.text(), new RegExp(pointer));
    }
  });
});
