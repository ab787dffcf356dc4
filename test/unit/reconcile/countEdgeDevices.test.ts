import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubRuntime } from '../../../shared/services/deployments/hubRuntime';
import { COUNT_INTERVAL_MS, countEdgeDevices } from '../../../shared/services/reconcile/countEdgeDevices';
import { nodeResources } from '../../../shared/services/kubernetes/kubernetesNodes';
import { AppError } from '../../../shared/errors';

const hub = (name: string, count: () => Promise<{ total: number; connected: number }>) => ({ name, edgeDevices: { count } }) as unknown as HubRuntime;
const now = new Date('2026-12-02T12:00:00Z');
const never = new AbortController().signal;

describe('counting edge devices per hub', () => {
  it('counts a hub never counted, and again only once the interval has passed', async () => {
    let calls = 0;
    const weu = hub('weu', () => Promise.resolve({ total: 12, connected: 9 + calls++ }));
    const first = await countEdgeDevices([weu], new Map(), now, never);
    assert.deepEqual(first.get('weu'), { total: 12, connected: 9, countedAt: now.toISOString() });
    const status = { hub: 'weu', reachable: true, checkedAt: now.toISOString(), edgeDevices: first.get('weu')! };
    const soon = new Date(now.getTime() + COUNT_INTERVAL_MS - 1);
    assert.equal((await countEdgeDevices([weu], new Map([['weu', status]]), soon, never)).size, 0);
    const later = new Date(now.getTime() + COUNT_INTERVAL_MS);
    assert.equal((await countEdgeDevices([weu], new Map([['weu', status]]), later, never)).get('weu')?.connected, 10);
    assert.equal(calls, 2);
  });

  it('leaves a hub whose count failed out (its last count stays), without failing the others', async () => {
    const counted = await countEdgeDevices([hub('weu', () => Promise.reject(new AppError('HubThrottled', 429, 'throttled', { retryable: true }))), hub('eus', () => Promise.resolve({ total: 3, connected: 3 }))], new Map(), now, never);
    assert.deepEqual([...counted.keys()], ['eus']);
  });
});

describe('a hub as a node: capacity and allocatable', () => {
  it('offers its edge devices as pods (the connected ones allocatable) and the configurations left of 100', () => {
    const r = nodeResources({ hub: 'weu', reachable: true, checkedAt: now.toISOString(), configurationCount: 7, edgeDevices: { total: 40, connected: 31, countedAt: now.toISOString() } });
    assert.deepEqual(r.capacity, { pods: '40', 'edge-fleet.dev/devices': '40', 'edge-fleet.dev/configurations': '100' });
    assert.deepEqual(r.allocatable, { pods: '31', 'edge-fleet.dev/devices': '31', 'edge-fleet.dev/configurations': '93' });
  });
  it('shows no device figure before the first count rather than a made-up one', () => {
    assert.deepEqual(nodeResources(undefined), { capacity: { 'edge-fleet.dev/configurations': '100' }, allocatable: { 'edge-fleet.dev/configurations': '100' } });
  });
});
