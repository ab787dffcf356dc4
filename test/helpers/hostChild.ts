// Child-process entry of test/helpers/hostProcess.ts: one local Functions host
// running the real app, so a test can run several hosts side by side (each
// with its own module state, as separate Function instances have) and kill one
// outright. Options come in the environment (they hold connection strings),
// log entries go out as JSON lines on stdout.
import { startLocalHost } from '../../local/host/host';
import { projectRoot } from './fixtureApp';

interface ChildOptions {
  readonly settings: Record<string, string>;
  readonly eventHubLoadBalancing?: { updateIntervalInMs?: number; partitionOwnershipExpirationIntervalInMs?: number };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.HOST_CHILD_OPTIONS ?? '{}') as ChildOptions;
  const host = await startLocalHost({
    scriptRoot: projectRoot,
    settings: options.settings,
    port: 0,
    keys: { functionKey: 'test-function-key', masterKey: 'test-master-key' },
    timers: 'manual',
    logger: (entry) => process.stdout.write(`${JSON.stringify({ log: entry })}\n`),
    ...(options.eventHubLoadBalancing ? { eventHubLoadBalancing: options.eventHubLoadBalancing } : {}),
  });
  process.once('SIGTERM', () => {
    void host.stop().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ ready: true, port: host.port })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
