// Lazy loading (issue 18): importing the function app as the host does loads
// no SDK; the first use of storage loads only @azure/data-tables, the hubs
// add azure-iothub, and only the reconciler's lease adds @azure/storage-blob.
// @azure/identity is never loaded with connection strings. Each run is a
// fresh process (bench/coldstartChild.ts), so nothing loaded by this one counts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { coldstartEnv } from '../../../bench/coldstartEnv';
import { projectRoot } from '../../helpers/fixtureApp';

describe('lazy loading of the SDKs', () => {
  it('imports every function with no SDK, and loads each SDK only when its area is first used', () => {
    const out = execFileSync(process.execPath, [join(projectRoot, 'dist', 'bench', 'coldstartChild.js'), 'app'], { env: coldstartEnv(), encoding: 'utf8' });
    const run = JSON.parse(out.trim().split('\n').at(-1)!) as { sdks: string[]; beyondRegistrations: string[]; afterStorage: string[]; afterFleet: string[]; afterAll: string[] };
    assert.deepEqual(run.sdks, [], 'SDKs loaded by importing functions/*.js');
    // Nor the app's own code, zod, yaml or semver: the handlers load when a function first runs (shared/http/lazyHandlers.ts).
    assert.deepEqual(run.beyondRegistrations, [], 'loaded by importing functions/*.js');
    assert.deepEqual(run.afterStorage, ['@azure/data-tables']);
    assert.deepEqual(run.afterFleet, ['@azure/data-tables', 'azure-iothub']);
    assert.deepEqual(run.afterAll, ['@azure/data-tables', '@azure/storage-blob', 'azure-iothub']);
  });
});
