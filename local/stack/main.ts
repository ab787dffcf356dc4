// `npm start`: the whole control plane on this machine. Prints one line when
// ready; Ctrl-C or SIGTERM stops everything (children are killed after a grace period).
import { join, relative, resolve } from 'node:path';
import { SettingsError } from '../../shared/config/settings';
import { PortInUseError } from '../azurite';
import { type RunningStack, startStack } from './stack';

interface Args {
  port: number;
  inMemory: boolean;
  stateDir: string | undefined;
  eventHubsPort: number;
  tlsPort: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { port: Number(process.env.PORT ?? 7071), inMemory: false, stateDir: undefined, eventHubsPort: 5672, tlsPort: Number(process.env.TLS_PORT ?? 7443) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--in-memory') args.inMemory = true;
    else if (arg === '--port') args.port = Number(argv[++i]);
    else if (arg === '--state-dir') args.stateDir = resolve(argv[++i] ?? '.local');
    else if (arg === '--eventhubs-port') args.eventHubsPort = Number(argv[++i]);
    else if (arg === '--tls-port') args.tlsPort = Number(argv[++i]);
    else if (arg === '--help') {
      process.stdout.write('usage: npm start [-- --port 7071] [--tls-port 7443] [--eventhubs-port 5672] [--in-memory] [--state-dir .local]\n(stack.json, keys.json and persistent data go in the state directory)\n');
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument '${arg}' (try --help)\n`);
      process.exit(2);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const projectRoot = resolve(__dirname, '..', '..', '..');
  const started = Date.now();
  let stack: RunningStack | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack...\n`);
    // Hard stop if something hangs: nothing may be left running after 5 s.
    setTimeout(() => process.exit(1), 4500).unref();
    void (stack?.stop() ?? Promise.resolve()).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    stack = await startStack({
      projectRoot,
      port: args.port,
      inMemory: args.inMemory,
      eventHubsPort: args.eventHubsPort,
      tlsPort: args.tlsPort,
      ...(args.stateDir ? { stateDir: args.stateDir } : {}),
      log: (m) => process.stdout.write(`[stack] ${m}\n`),
    });
  } catch (error) {
    if (error instanceof SettingsError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof PortInUseError) process.stderr.write(`${error.message}\n`);
    else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`Port ${args.port} is already in use (is another \`npm start\` running?). Stop it, or run \`npm start -- --port <other>\`.\n`);
    } else process.stderr.write(`The local stack failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  }
  if (stopping) return;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const stackFile = shownPath(join(args.stateDir ?? join(projectRoot, '.local'), 'stack.json'));
  process.stdout.write(
    `Local stack ready in ${seconds}s: ${stack.info.baseUrl} (function key and endpoints in ${stackFile}; Ctrl-C stops)\n` +
      `Console: ${stack.info.consoleUrl} (asks for the function key once per browser session)\n` +
      `kubectl: KUBECONFIG=${shownPath(stack.info.kubeconfig ?? '')} kubectl get nodes (${stack.info.kubernetesServer})\n`,
  );
}

/** A path as the ready line shows it: relative inside the working directory, absolute outside it (no `../` climbs). */
function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? resolve(path) : shown;
}

void main();
