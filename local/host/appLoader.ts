// Loads the function app the way the worker does: every file matched by
// package.json `main` (a path or a `dir/*.js` glob), after the core stand-in
// is installed so `@azure/functions` registers into it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostState, type RegisteredFunction } from './functionsCore';
import { installFunctionsCore } from './installCore';

export function entryPoints(scriptRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(scriptRoot, 'package.json'), 'utf8')) as { main?: string };
  const main = pkg.main ?? 'index.js';
  if (!main.includes('*')) return [resolve(scriptRoot, main)];
  const dir = resolve(scriptRoot, dirname(main));
  const pattern = new RegExp(`^${main.slice(main.lastIndexOf('/') + 1).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  if (!existsSync(dir)) throw new Error(`no compiled functions at ${dir}: run \`npm run build\` first`);
  return readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
}

export function loadFunctionApp(scriptRoot: string): RegisteredFunction[] {
  installFunctionsCore();
  for (const file of entryPoints(scriptRoot)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the worker loads entry points with require too
    require(file);
  }
  return hostState.functions();
}
