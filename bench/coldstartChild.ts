// One cold start, in a fresh process (bench:coldstart and the lazy-loading
// test run it): `app` imports every functions/*.js as the host does
// (package.json main, after the @azure/functions-core stand-in is installed),
// `bare` imports @azure/functions and registers one HTTP function. Prints
// one JSON line: the import time and which SDKs were loaded by then; with
// `app`, also what the first use of storage and of the hubs loads and costs.
import type * as Functions from '@azure/functions';
import { join } from 'node:path';
import type * as Composition from '../shared/composition';
import { entryPoints } from '../local/host/appLoader';
import { installFunctionsCore } from '../local/host/installCore';

const SDKS = ['@azure/data-tables', '@azure/storage-blob', '@azure/identity', '@azure/event-hubs', 'azure-iothub'];
const projectRoot = join(__dirname, '..', '..');
const loadedSdks = () => SDKS.filter((sdk) => Object.keys(require.cache).some((path) => path.includes(`/node_modules/${sdk}/`)));

async function main(): Promise<void> {
  const mode = process.argv[2];
  const started = performance.now();
  installFunctionsCore();
  if (mode === 'bare') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the worker loads entry points with require
    const { app } = require('@azure/functions') as typeof Functions;
    app.http('hello', { methods: ['GET'], authLevel: 'anonymous', handler: () => ({ status: 200, body: 'hello' }) });
    console.log(JSON.stringify({ mode, importMs: performance.now() - started, sdks: loadedSdks() }));
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as the worker does
  for (const file of entryPoints(projectRoot)) require(file);
  const importMs = performance.now() - started;
  const sdks = loadedSdks();
  // Besides the SDKs: what else the import loaded that a registration does not need (lazyHandlers.ts excepted).
  const beyondRegistrations = Object.keys(require.cache)
    .filter((p) => /\/node_modules\/(zod|yaml|semver)\//.test(p) || (p.includes(`${join('dist', 'shared')}/`) && !p.endsWith('lazyHandlers.js')))
    .map((p) => p.slice(p.indexOf(p.includes('node_modules') ? 'node_modules' : 'dist')))
    .filter((p, i, all) => !/node_modules\/(zod|yaml|semver)\/.+/.test(p) || all.findIndex((q) => q.split('/')[1] === p.split('/')[1]) === i);
  const composition = (await import(join(projectRoot, 'dist', 'shared', 'composition.js'))) as typeof Composition;
  let t = performance.now();
  await composition.storageServices();
  const storageMs = performance.now() - t;
  const afterStorage = loadedSdks();
  t = performance.now();
  await composition.fleetServices();
  const fleetMs = performance.now() - t;
  const afterFleet = loadedSdks();
  t = performance.now();
  await composition.getServices();
  const allMs = performance.now() - t;
  console.log(JSON.stringify({ mode, importMs, sdks, beyondRegistrations, storageMs, afterStorage, fleetMs, afterFleet, allMs, afterAll: loadedSdks() }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
