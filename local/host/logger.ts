// Host log lines, one per entry, with the function and invocation id so one
// grep follows an invocation. User log messages are printed as they are
// (the app writes structured JSON through context.log).
import type { HostLogger } from './invoke';

const LEVELS = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 } as const;

export function consoleLogger(minLevel: keyof typeof LEVELS = 'information', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): HostLogger {
  return (entry) => {
    if (LEVELS[entry.level] < LEVELS[minLevel]) return;
    write(`${new Date().toISOString()} [${entry.level}] ${entry.functionName} ${entry.invocationId}: ${entry.message}`);
  };
}
