// Liveness that costs little (issue 18): heartbeats that change nothing but
// lastSeenAt are written once per DEVICE_LIVENESS_WRITE_SECONDS, yet a silent
// device is still reported offline within DEVICE_OFFLINE_AFTER_SECONDS plus
// that step (never before DEVICE_OFFLINE_AFTER_SECONDS), and a returning device
// at once. Through the real Event Hubs producer, the local host and the API,
// with the thresholds shortened to seconds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventHubProducerClient } from '@azure/event-hubs';
import { healthPartition } from '../../../shared/domain/health/healthKeys';
import type { DeviceHealthView } from '../../../shared/services/health/healthQueries';
import { tableHealthStore } from '../../../shared/adapters/tables/tableHealthStore';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { azuriteTable } from '../../helpers/azuriteTable';
import { waitFor } from '../../helpers/fixtureApp';
import { healthEvent } from '../../helpers/healthFixtures';
import { sendHealthEvents } from '../../helpers/sendHealthEvents';

const OFFLINE_AFTER_S = 4;
const LIVENESS_STEP_S = 2;
/** Slack over the documented bound for polling and ingestion on a loaded 2-core machine. */
const SLACK_MS = 3000;

describe('liveness: cheap heartbeats, bounded offline detection', () => {
  let stack: AppStack;
  let producer: EventHubProducerClient;
  let realHub: string;
  before(async () => {
    stack = await startAppStack({ eventHubs: true, iothub: { fleet: 0 }, settings: { DEVICE_OFFLINE_AFTER_SECONDS: String(OFFLINE_AFTER_S), DEVICE_LIVENESS_WRITE_SECONDS: String(LIVENESS_STEP_S) } });
    producer = new EventHubProducerClient(stack.eventHubs!.connectionString(), 'device-health');
    realHub = stack.iothub.hubs.find((h) => h.name === 'weu')!.resourceName;
  });
  after(async () => {
    await producer.close();
    await stack.stop();
  });

  type IngestLine = { events: number; written: number; livenessDeferred: number };
  const ingestLines = () => stack.logs.filter((l) => l.functionName === 'healthIngest' && l.message.includes('"health.ingest"')).map((l) => JSON.parse(l.message) as IngestLine);
  const eventsIngested = () => ingestLines().reduce((n, l) => n + l.events, 0);
  const health = async (deviceId: string) => (await (await stack.api(`hubs/weu/devices/${deviceId}/health`)).json()) as DeviceHealthView;

  /** One heartbeat, in a batch of its own, waited for until the host has ingested it. */
  const beat = async (deviceId: string, at: number) => {
    const before = eventsIngested();
    await sendHealthEvents(producer, [healthEvent('heartbeat', { hub: realHub, deviceId, at: new Date(at).toISOString() })], { partitionKey: deviceId });
    await waitFor(() => (eventsIngested() > before ? true : undefined), 20_000, 'the heartbeat to be ingested');
  };

  it('writes a steady heartbeat once per step, reports the device offline within the bound, and back at once', async () => {
    // 40 heartbeats, each sent once the one before is ingested, stamped with the hub time they are sent at.
    const beats = 40;
    const start = ingestLines().length;
    const times: number[] = [];
    for (let i = 0; i < beats; i++) {
      times.push(Date.now());
      await beat('live-1', times[i]!);
    }
    const mine = ingestLines().slice(start);
    const written = mine.reduce((n, l) => n + l.written, 0);
    const deferred = mine.reduce((n, l) => n + l.livenessDeferred, 0);
    const spanMs = times.at(-1)! - times[0]!;
    console.log(`liveness: ${beats} heartbeats over ${spanMs / 1000} s -> ${written} writes (${(written / beats).toFixed(3)} per heartbeat), ${deferred} deferred`);
    // The first makes the record; then one write per LIVENESS_STEP_S of hub time.
    assert.ok(written <= 1 + Math.ceil(spanMs / (LIVENESS_STEP_S * 1000)), `${written} writes`);
    assert.ok(deferred > 0, 'some heartbeats were not written');
    assert.equal(written + deferred, beats);
    const lastBeat = times.at(-1)!;
    assert.notEqual((await health('live-1')).state, 'offline', 'alive while it beats');

    // Silence: offline no earlier than OFFLINE_AFTER_S after the last heartbeat, and no later than OFFLINE_AFTER_S + LIVENESS_STEP_S.
    const offline = await waitFor(async () => ((await health('live-1')).state === 'offline' ? Date.now() : undefined), (OFFLINE_AFTER_S + LIVENESS_STEP_S) * 1000 + SLACK_MS + 5000, 'the silent device to be offline');
    const silentMs = offline - lastBeat;
    console.log(`liveness: reported offline after ${silentMs} ms of silence (bound ${OFFLINE_AFTER_S * 1000}..${(OFFLINE_AFTER_S + LIVENESS_STEP_S) * 1000} ms)`);
    assert.ok(silentMs >= OFFLINE_AFTER_S * 1000, 'never before DEVICE_OFFLINE_AFTER_SECONDS');
    assert.ok(silentMs <= (OFFLINE_AFTER_S + LIVENESS_STEP_S) * 1000 + SLACK_MS, 'within DEVICE_OFFLINE_AFTER_SECONDS + DEVICE_LIVENESS_WRITE_SECONDS');

    // The reconciler's sweep leaves the device's row alone (it moves counter watermarks, see massDisconnect.test.ts);
    // it still reads offline, and the heartbeat that brings it back is written at once and reads online.
    const store = tableHealthStore((name) => azuriteTable(stack.azurite, name), azuriteTable(stack.azurite, 'healthdeadletters'));
    const etag = async () => (await store.readDevices(healthPartition('weu', 'live-1'), ['live-1'])).get('live-1')?.etag;
    const silentEtag = await etag();
    assert.ok(await stack.host.runFunction('reconcile'));
    assert.equal(await etag(), silentEtag, 'the sweep wrote no device row');
    assert.equal((await health('live-1')).state, 'offline');
    const back = Date.now();
    await beat('live-1', Date.now());
    assert.notEqual(await etag(), silentEtag, 'written with the heartbeat that brought it back');
    assert.notEqual((await health('live-1')).state, 'offline');
    console.log(`liveness: a returning device read online ${Date.now() - back} ms after its heartbeat was sent`);
  });
});
