import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configurationId, parseConfigurationId } from '../../../shared/domain/deployments/configurationId';

describe('configuration ids', () => {
  it('round-trips a deployment id and revision, even when the id itself ends like a revision', () => {
    assert.equal(configurationId('web-r2', 7), 'web-r2-r7');
    assert.deepEqual(parseConfigurationId('web-r2-r7'), { deploymentId: 'web-r2', revision: 7 });
  });
  it('does not claim ids it did not make', () => {
    assert.equal(parseConfigurationId('Manual-Deployment'), undefined);
    assert.equal(parseConfigurationId('web'), undefined);
  });
});
