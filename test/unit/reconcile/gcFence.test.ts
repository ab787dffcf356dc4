import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcFences } from '../../../shared/services/reconcile/gcFence';
import type { HubConfiguration } from '../../../shared/services/hubs/hubConfigurations';

const config = (deployment: string, installation?: string): HubConfiguration => ({
  id: `${deployment}-r1`,
  content: { modulesContent: {} },
  targetCondition: '',
  priority: 1,
  etag: '',
  labels: { managedBy: 'edge-fleet-control-plane', fleetDeployment: deployment, ...(installation ? { fleetInstallation: installation } : {}) },
});
const hub = (...configs: HubConfiguration[]) => ({ ok: true as const, configs });

describe('garbage-collection fence', () => {
  it('fences every hub when the desired state is empty while hubs hold this installation’s configurations', () => {
    const fences = gcFences({ snapshots: new Map([['weu', hub(config('a', 'prod'), config('b', 'prod'))]]), known: new Set(), headCount: 0, installationId: 'prod', maxDeletePercent: 50 });
    assert.equal(fences.get('weu')?.reason, 'DesiredStateLost');
  });

  it('fences a hub where one pass would delete more than the allowed share', () => {
    const fences = gcFences({ snapshots: new Map([['weu', hub(config('a', 'prod'), config('b', 'prod'), config('c', 'prod'))]]), known: new Set(['a']), headCount: 1, installationId: 'prod', maxDeletePercent: 50 });
    assert.equal(fences.get('weu')?.reason, 'TooManyDeletions');
  });

  it('lets a small share through and ignores other installations’ and legacy configurations', () => {
    const fences = gcFences({
      snapshots: new Map([['weu', hub(config('a', 'prod'), config('b', 'prod'), config('x', 'staging'), config('y'))]]),
      known: new Set(['a']),
      headCount: 1,
      installationId: 'prod',
      maxDeletePercent: 50,
    });
    assert.equal(fences.size, 0);
  });
});
