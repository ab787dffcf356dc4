// Fleet files seed the simulated hubs with IoT Edge devices and their tags.
// The default fleet is generated from a seed, so every run has the same devices.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type SimulatedHub } from './hub';
import { percentile } from './scenarios';

export const fleetSchema = z.object({
  hubs: z.record(
    z.string(),
    z.array(
      z.object({
        deviceId: z.string().min(1),
        iotEdge: z.boolean().default(true),
        tags: z.record(z.string(), z.unknown()).default({}),
        connected: z.boolean().default(true),
      }),
    ),
  ),
});
export type Fleet = z.infer<typeof fleetSchema>;
export type FleetInput = z.input<typeof fleetSchema>;

export const DEFAULT_HUBS = [
  { name: 'weu', region: 'westeurope', labels: { geo: 'eu' } },
  { name: 'eus', region: 'eastus', labels: { geo: 'us' } },
  { name: 'sea', region: 'southeastasia', labels: { geo: 'asia' } },
] as const;

const pick = <T>(seed: number, salt: string, id: string, values: readonly T[]): T =>
  values[Math.floor((percentile(seed, salt, id) / 100) * values.length)]!;

/** `devicesPerHub` devices per hub with site, env, ring and hardware tags drawn from the seed. */
export function generateFleet(seed: number, devicesPerHub: number, hubs: readonly { name: string; region: string }[] = DEFAULT_HUBS): Fleet {
  const fleet: Fleet = { hubs: {} };
  for (const hub of hubs) {
    fleet.hubs[hub.name] = Array.from({ length: devicesPerHub }, (_, i) => {
      const deviceId = `${hub.name}-edge-${String(i + 1).padStart(5, '0')}`;
      const ringRoll = percentile(seed, 'ring', deviceId);
      return {
        deviceId,
        iotEdge: true,
        connected: true,
        tags: {
          region: hub.region,
          site: `${hub.name}-site-${pick(seed, 'site', deviceId, ['a', 'b', 'c', 'd', 'e'])}`,
          env: pick(seed, 'env', deviceId, ['prod', 'prod', 'prod', 'staging']),
          ring: ringRoll < 5 ? 'canary' : ringRoll < 30 ? 'early' : 'broad',
          hw: pick(seed, 'hw', deviceId, ['x86-gen1', 'x86-gen2', 'arm64-gen1']),
        },
      };
    });
  }
  return fleet;
}

export function readFleetFile(path: string): Fleet {
  return fleetSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Creates the fleet's devices (skipping ones that exist) with their tags and connection state. */
export async function seedFleet(hubs: readonly SimulatedHub[], fleet: Fleet): Promise<number> {
  let created = 0;
  // Connection events are published together, not one round trip each (a fleet of
  // hundreds would otherwise take seconds to come up); each device's order is kept.
  const connecting: Promise<void>[] = [];
  for (const hub of hubs) {
    for (const entry of fleet.hubs[hub.name] ?? []) {
      if (hub.devices.has(entry.deviceId)) continue;
      const device = hub.createDevice(entry.deviceId, { capabilities: { iotEdge: entry.iotEdge } });
      device.twin.tags = structuredClone(entry.tags);
      device.twin.touch();
      if (entry.connected) connecting.push(hub.setConnected(device, true));
      created++;
    }
    hub.reevaluate();
  }
  await Promise.all(connecting);
  return created;
}
