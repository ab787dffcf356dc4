// Runs the local Event Hubs endpoint as a process (the local stack starts it
// with startReadyService). Prints ONE JSON line `{"ready":true,...}` when
// listening; it holds the connection string, so the parent never logs it.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HUBS, startEventHubsEndpoint } from './index';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' } }, strict: true });

async function main(): Promise<void> {
  const endpoint = await startEventHubsEndpoint({
    port: Number(values.port ?? 5672),
    ...(values['in-memory'] ? {} : { dataDir: resolve(values['data-dir'] ?? '.local/eventhubs') }),
  });
  const stop = () => void endpoint.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const hub = DEFAULT_HUBS[0]!;
  process.stdout.write(
    `${JSON.stringify({ ready: true, port: endpoint.port, connectionString: endpoint.connectionString(), name: hub.name, consumerGroup: 'control-plane', toolsConsumerGroup: 'tools' })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
