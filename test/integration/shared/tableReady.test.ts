// A store's table is created on first use; storage being down at that moment
// must not break the store for the life of the instance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { AZURITE_ACCOUNT, AZURITE_KEY, type AzuriteHandle, startAzurite } from '../../../local/azurite';
import { tableReady } from '../../../shared/adapters/tables/tableReady';
import { AppError } from '../../../shared/errors';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy';

describe('tableReady', () => {
  let azurite: AzuriteHandle;
  let proxy: TcpProxy;
  before(async () => {
    azurite = await startAzurite();
    proxy = await startTcpProxy(Number(new URL(azurite.tableEndpoint).port));
  });
  after(async () => {
    await proxy.stop();
    await azurite.stop();
  });

  it('tries again after a failed create instead of failing from then on', async () => {
    const table = new TableClient(`http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT}`, 'readiness', new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY), {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const ensure = tableReady(table);
    proxy.cut();
    await assert.rejects(ensure(), (error: unknown) => error instanceof AppError && error.retryable);
    proxy.restore();
    await ensure();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r' });
    assert.equal((await table.getEntity('p', 'r')).rowKey, 'r');
  });
});
