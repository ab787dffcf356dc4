// Faults injected into the simulated fleet at run time (through the admin
// API). Which devices a scenario hits is decided by a tag selector (the query
// condition language) and a percentage hashed from the seed, so a run repeats.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Device } from './devices';
import { type Condition, evaluateCondition, parseCondition } from './query';

const selection = {
  /** Only hubs with this name (all hubs when absent). */
  hub: z.string().optional(),
  /** A condition over the device twin, e.g. `tags.ring = 'canary'`. */
  selector: z.string().optional(),
  /** Share of the selected devices hit, 0..100, chosen deterministically from the seed. */
  percent: z.number().min(0).max(100).default(100),
};

export const scenarioSchema = z.discriminatedUnion('kind', [
  /** Modules running an image containing `image` crash: backoff, restartCount growing, then failed. */
  z.object({ kind: z.literal('crashImage'), image: z.string().min(1), ...selection }),
  /**
   * Modules running an image containing `image` are flaky: they exit and come back up every `crashRestartMs`,
   * reported `running` with restartCount growing, never `backoff` or `failed` (what a restart gate is for).
   */
  z.object({ kind: z.literal('flakyImage'), image: z.string().min(1), ...selection }),
  /** Pulling images containing `image` (any when absent) takes `delayMs` longer. */
  z.object({ kind: z.literal('slowPull'), image: z.string().optional(), delayMs: z.number().int().min(0), ...selection }),
  /** edgeAgent rejects the deployment: lastDesiredStatus.code = `code` (e.g. 400 or 500). */
  z.object({ kind: z.literal('rejectDeployment'), code: z.number().int().default(500), ...selection }),
]);
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.infer<typeof scenarioSchema> & { readonly id: string; readonly condition: Condition | undefined };

/** A stable number in [0, 100) for (seed, salt, device). */
export function percentile(seed: number, salt: string, deviceId: string): number {
  const digest = createHash('sha256').update(`${seed}:${salt}:${deviceId}`).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

export class ScenarioBook {
  private readonly scenarios = new Map<string, Scenario>();
  private next = 1;

  constructor(readonly seed: number) {}

  add(input: unknown): Scenario {
    const parsed = scenarioSchema.parse(input);
    const scenario: Scenario = { ...parsed, id: `s${this.next++}`, condition: parsed.selector ? parseCondition(parsed.selector) : undefined };
    this.scenarios.set(scenario.id, scenario);
    return scenario;
  }

  remove(id?: string): void {
    if (id === undefined) this.scenarios.clear();
    else this.scenarios.delete(id);
  }

  list(): Scenario[] {
    return [...this.scenarios.values()];
  }

  /** Scenarios of this kind that hit the device. */
  hitting<K extends Scenario['kind']>(kind: K, hubName: string, device: Device): Extract<Scenario, { kind: K }>[] {
    return this.list().filter(
      (s): s is Extract<Scenario, { kind: K }> => s.kind === kind && selects(this.seed, s, hubName, device),
    );
  }
}

/** Shared by scenarios and the admin API's connect/disconnect. */
export function selects(
  seed: number,
  s: { id: string; hub?: string | undefined; condition: Condition | undefined; percent: number },
  hubName: string,
  device: Device,
): boolean {
  if (s.hub !== undefined && s.hub !== hubName) return false;
  if (s.condition && !evaluateCondition(s.condition, device.twin.document())) return false;
  return percentile(seed, s.id, device.deviceId) < s.percent;
}
