// The simulator as the local stack runs it: a child process that prints one ready line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnNode } from '../../../local/childProcess';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { hubSettingSchema } from '../../../shared/config/settings';

interface Ready {
  ready: true;
  adminUrl: string;
  hubs: { name: string; region: string; labels: Record<string, string>; connectionString: string; localEndpoint: string; caFile: string }[];
}

async function runMain(stateDir: string): Promise<{ ready: Ready; stop: () => Promise<void> }> {
  let resolveReady: (r: Ready) => void = () => undefined;
  const ready = new Promise<Ready>((resolve) => (resolveReady = resolve));
  const child = spawnNode({
    name: 'iothub-sim',
    script: join(__dirname, '../../../local/iothub/main.js'),
    args: ['--state-dir', stateDir, '--devices-per-hub', '5', '--seed', '3', '--heartbeat-ms', '0'],
    onLine: (line, stream) => {
      if (stream === 'stdout' && line.startsWith('{')) resolveReady(JSON.parse(line) as Ready);
    },
  });
  const exited = new Promise<never>((_, reject) => child.process.once('exit', (code) => reject(new Error(`main exited with ${code}`))));
  return { ready: await Promise.race([ready, exited]), stop: () => child.stop() };
}

describe('simulator process', () => {
  it('prints a ready line with the hubs, serves the generated fleet and keeps keys and CA across restarts', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'iothub-main-'));
    try {
      const first = await runMain(stateDir);
      let connectionStrings: string[];
      try {
        assert.deepEqual(first.ready.hubs.map((h) => h.name), ['weu', 'eus', 'sea']);
        const hub = first.ready.hubs[0]!;
        const registry = createRegistry(hubSettingSchema.parse({ ...hub, connection: hub.connectionString, local: { endpoint: hub.localEndpoint, caFile: hub.caFile } }));
        const result = await registry.createQuery("SELECT COUNT() AS n FROM devices WHERE tags.region = 'westeurope'").next();
        assert.deepEqual(result.result, [{ n: 5 }]);
        connectionStrings = first.ready.hubs.map((h) => h.connectionString);
      } finally {
        await first.stop();
      }
      const second = await runMain(stateDir);
      await second.stop();
      assert.deepEqual(second.ready.hubs.map((h) => h.connectionString), connectionStrings);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
