import { TableClient } from '@azure/data-tables';
import type { AzuriteHandle } from '../../local/azurite';

/** A TableClient on the test's Azurite (plain HTTP, hence allowInsecureConnection). */
export const azuriteTable = (azurite: AzuriteHandle, table: string) => TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
