import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubSetting } from '../../../shared/config/settings';
import { selectHubs, unknownHubNames } from '../../../shared/domain/deployments/hubSelector';

const hub = (name: string, region: string, labels: Record<string, string> = {}): HubSetting => ({
  name,
  region,
  labels,
  connection: `${name}.azure-devices.net`,
  units: 1,
});
const hubs = [hub('weu', 'westeurope', { geo: 'eu', tier: 'prod' }), hub('neu', 'northeurope', { geo: 'eu' }), hub('eus', 'eastus', { geo: 'us', tier: 'prod' })];
const names = (s: Parameters<typeof selectHubs>[0]) => selectHubs(s, hubs).map((h) => h.name);

describe('hub selection', () => {
  it('selects every hub when the selector is empty', () => {
    assert.deepEqual(names({}), ['weu', 'neu', 'eus']);
  });
  it('selects by name, region or labels, in settings order', () => {
    assert.deepEqual(names({ names: ['eus', 'weu'] }), ['weu', 'eus']);
    assert.deepEqual(names({ regions: ['northeurope'] }), ['neu']);
    assert.deepEqual(names({ labels: { tier: 'prod' } }), ['weu', 'eus']);
  });
  it('combines criteria with AND', () => {
    assert.deepEqual(names({ labels: { geo: 'eu', tier: 'prod' } }), ['weu']);
    assert.deepEqual(names({ regions: ['westeurope', 'eastus'], labels: { geo: 'us' } }), ['eus']);
    assert.deepEqual(names({ names: ['neu'], labels: { tier: 'prod' } }), []);
  });
  it('names the hubs asked for that do not exist', () => {
    assert.deepEqual(unknownHubNames({ names: ['weu', 'mars'] }, hubs), ['mars']);
  });
});
