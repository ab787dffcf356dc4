// Issue #16 item 3: a reconcile pass whose lease is taken over while it runs
// stops writing at once. The pass is made slow (every hub request waits in the
// simulator, as on a congested link), another owner breaks and takes the
// blob lease while the pass's first hub write is in flight, and every request
// the hub receives after that is counted: no write may reach it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ReceivedRequest } from '../../../local/iothub/hub';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';

const DEPLOYMENTS = ['lease-a', 'lease-b', 'lease-c', 'lease-d'];
// Long enough that the takeover (two Azurite calls) finishes while the first write waits in the hub.
const HUB_LATENCY_MS = 1500;

const deployment = (id: string) => ({
  id,
  hubSelector: {},
  target: { condition: "tags.env='staging'" },
  manifest: { modules: { web: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
});

const isWrite = (r: ReceivedRequest) => (r.method === 'PUT' || r.method === 'DELETE') && r.path.startsWith('/configurations/');

describe('a reconcile lease taken over mid-pass (issue #16 item 3)', () => {
  let stack: AppStack;
  before(async () => {
    // One hub, so the pass's hub writes go one at a time and "the write in flight" is one request.
    stack = await startAppStack({ iothub: { hubs: [{ name: 'weu', region: 'westeurope', labels: { geo: 'eu' } }] } });
    for (const id of DEPLOYMENTS) {
      const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deployment(id)) });
      assert.equal(created.status, 201, await created.text());
    }
  });
  after(async () => stack.stop());

  it('makes no hub write after another owner takes the lease', async () => {
    const hub = stack.iothub.simulator.hubs[0]!;
    // An operator deletes every configuration behind the app's back: the pass has one create per deployment to do.
    hub.configurations.items.clear();
    hub.faults.latencyMs = HUB_LATENCY_MS;

    const received: ReceivedRequest[] = [];
    let takeover: Promise<number> | undefined;
    const lease = BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient('control-plane').getBlobClient('reconcile.lease').getBlobLeaseClient();
    hub.onRequest = (request) => {
      received.push(request);
      // The first write is now waiting in the hub: another instance breaks the lease and takes it.
      takeover ??= isWrite(request)
        ? (async () => {
            await lease.breakLease(0);
            await lease.acquireLease(60);
            return Date.now();
          })()
        : undefined;
    };
    const pass = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    const report = (await pass.json()) as { ran: boolean; leaseLost: boolean; stoppedIn: string | null; summary: { creates: number } };
    hub.onRequest = () => undefined;
    hub.faults.latencyMs = 0;
    assert.ok(takeover, 'the pass wrote to the hub');
    const takenAt = await takeover;

    const writes = received.filter(isWrite);
    const afterLoss = writes.filter((r) => r.at > takenAt);
    assert.equal(afterLoss.length, 0, `writes after the takeover: ${JSON.stringify(afterLoss)}`);
    assert.equal(writes.length, 1, 'only the write in flight at the takeover reached the hub');
    assert.ok(hub.configurations.items.size < DEPLOYMENTS.length, 'the pass did not finish its work');
    assert.deepEqual([report.ran, report.leaseLost, report.stoppedIn], [true, true, 'hubs'], JSON.stringify(report));
    await waitFor(() => stack.logs.find((l) => l.message.includes('reconcile.leaseLost')), 5000, 'the lost lease in the logs');
    await lease.releaseLease();
  });
});
