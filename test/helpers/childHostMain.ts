// A second function app in its own process (the app's settings are read once
// per process, at load): another installation, or the same app pointed at
// another storage account, against the same hubs. Settings come as JSON in
// CHILD_HOST_SETTINGS; it prints {"ready":true,"port":N} and logs to stdout.
import { startLocalHost } from '../../local/host/host';
import { consoleLogger } from '../../local/host/logger';
import { projectRoot } from './fixtureApp';

async function main() {
  const settings = JSON.parse(process.env.CHILD_HOST_SETTINGS ?? '{}') as Record<string, string>;
  const keys = JSON.parse(process.env.CHILD_HOST_KEYS ?? '{}') as { functionKey: string; masterKey: string };
  const host = await startLocalHost({ scriptRoot: projectRoot, port: 0, keys, timers: 'manual', settings, logger: consoleLogger() });
  const stop = () => void host.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ ready: true, port: host.port })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
