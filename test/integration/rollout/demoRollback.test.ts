// `npm run demo:rollback` as a test: the whole stack (simulator scenario ->
// Event Hubs -> ingestion -> reconciler -> IoT Hub configurations) rolls a bad
// canary back by itself and says so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../helpers/fixtureApp';

describe('demo:rollback', () => {
  it('prints the timeline wave by wave and ends with `rolled back`', () => {
    const run = spawnSync(process.execPath, [join(projectRoot, 'dist', 'demo', 'rollback.js')], { encoding: 'utf8', timeout: 150_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.trim().split('\n');
    assert.match(lines.at(-1) ?? '', /^rolled back/);
    assert.ok(lines.some((l) => /wave 0: soaking -> rollingBack \(FailedPercentExceeded\)/.test(l)), run.stdout);
    assert.ok(!lines.some((l) => /wave [12]:/.test(l)), 'later waves never start');
    for (const hub of ['weu', 'eus', 'sea']) assert.ok(lines.some((l) => l.includes(`hub ${hub}: sensor-r3 (applied)`)), run.stdout);
  });
});
