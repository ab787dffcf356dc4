import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { type AzuriteHandle, startAzurite } from '../../../local/azurite';

describe('azurite launcher', () => {
  let azurite: AzuriteHandle;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('starts on free ports and serves tables through the real SDK', async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'smoke', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    const entity = await table.getEntity<{ value: number }>('p', 'r');
    assert.equal(entity.value, 42);
  });
});
