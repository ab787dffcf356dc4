// Runs a Node script as a child that cannot outlive its parent: the parent
// holds our stdin open, so when it dies (even by SIGKILL) stdin ends and we exit.
// Usage: node orphanGuard.js <script.js> [args...]
import { resolve } from 'node:path';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: orphanGuard <script> [args...]\n');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.argv = [process.argv[0] ?? process.execPath, resolve(script), ...args];
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loads an arbitrary CommonJS entry point by path
require(resolve(script));
