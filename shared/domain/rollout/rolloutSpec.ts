// The optional `rollout` of a deployment: ordered waves of hubs, each soaked
// and gated on the ingested health of its devices before the next one starts.
import { z } from 'zod';
import { hubSelectorSchema, type SelectableHub, selectHubs } from '../deployments/hubSelector';
import { type DeviceSelector, deviceSelectorSchema, selectorToCondition } from '../deployments/selector';
import { anyOf } from '../deployments/targetCondition';

const WAVE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const waveSchema = z
  .strictObject({
    name: z.string().regex(WAVE_NAME, 'must be 1-63 lowercase letters, digits or dashes').meta({ example: 'canary' }),
    hubSelector: hubSelectorSchema.meta({ description: 'The hubs of this wave (among the hubs the deployment selects); a hub belongs to the first wave that selects it' }),
    deviceSelector: deviceSelectorSchema.optional().meta({
      description:
        "Narrows the wave to these devices of its hubs (tags, as in target.selector): they get the revision while the hub's other devices keep the previous one, until a later wave without deviceSelector takes the whole hub",
      example: { ring: 'canary' },
    }),
    soakSeconds: z
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(600)
      .meta({ description: 'How long the wave runs, once its hubs are applied, before its gate can pass', example: 600 }),
  })
  .meta({ description: 'One step of a progressive rollout' });

export const gateSchema = z
  .strictObject({
    maxFailedPercent: z.number().min(0).max(100).meta({ description: 'Failed devices above this share of the wave\'s reachable devices fail the gate (at any time during the soak)', example: 10 }),
    maxFailedCount: z.int().min(0).optional().meta({ description: 'More failed devices than this fail the gate (at any time during the soak)', example: 5 }),
    minSucceeded: z.int().min(0).default(1).meta({ description: 'The gate cannot pass before this many devices of the wave succeeded', example: 1 }),
    maxOfflinePercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .meta({ description: 'Offline devices never count as failures; above this share of the wave\'s devices at the end of the soak they fail the gate', example: 50 }),
    maxRestarts: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'More module restarts on the wave\'s devices since its soak began than this fail the gate (at any time during the soak): catches an image that keeps restarting without being reported failed', example: 10 }),
  })
  .meta({ description: 'Evaluated on the ingested health of the current wave\'s devices' });

export const rolloutSchema = z
  .strictObject({
    waves: z
      .array(waveSchema)
      .min(1)
      .max(20)
      .superRefine((waves, ctx) => {
        const seen = new Set<string>();
        waves.forEach((w, i) => {
          if (seen.has(w.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `wave name '${w.name}' is used twice` });
          seen.add(w.name);
        });
        const last = waves.length - 1;
        if (waves[last]?.deviceSelector) {
          ctx.addIssue({ code: 'custom', path: [last, 'deviceSelector'], message: 'the last wave takes whole hubs: a rollout must end with every targeted device on the revision' });
        }
      }),
    gate: gateSchema,
    onFailure: z.enum(['pause', 'rollback']).default('pause').meta({ description: 'pause: wait for a person (resume or abort); rollback: every hub that got the revision goes back to the previous one' }),
  })
  .meta({ id: 'Rollout', description: 'A progressive rollout: waves of hubs, soaked and gated on device health' });
export type RolloutSpec = z.infer<typeof rolloutSchema>;
export type GateSpec = z.infer<typeof gateSchema>;

export interface WavePlan {
  readonly name: string;
  readonly hubs: readonly string[];
  readonly soakSeconds: number;
  /** Only these devices of the wave's hubs get the revision (the rest keep the previous one until a whole-hub wave). */
  readonly devices?: DeviceSelector;
}

/**
 * The hubs of each wave, from the hubs the deployment selects: a hub goes to the
 * first wave without a deviceSelector that selects it (it is whole from then on),
 * and before that to every narrowed wave that selects it; hubs no wave takes
 * whole go with the last wave (never narrowed), so a rollout never leaves a
 * selected hub or device out.
 */
export function planWaves(rollout: RolloutSpec, selected: readonly SelectableHub[]): WavePlan[] {
  const placed = new Set<string>();
  const plans = rollout.waves.map((wave): WavePlan => {
    const hubs = selectHubs(wave.hubSelector, selected)
      .map((h) => h.name)
      .filter((h) => !placed.has(h));
    if (wave.deviceSelector) return { name: wave.name, hubs, soakSeconds: wave.soakSeconds, devices: wave.deviceSelector };
    hubs.forEach((h) => placed.add(h));
    return { name: wave.name, hubs, soakSeconds: wave.soakSeconds };
  });
  const rest = selected.map((h) => h.name).filter((h) => !placed.has(h));
  const last = plans[plans.length - 1]!;
  plans[plans.length - 1] = { ...last, hubs: [...last.hubs, ...rest] };
  return plans;
}

/**
 * What each hub holds once the rollout reached wave `upTo`: null for the whole
 * hub, else the target-condition text its devices are narrowed to (the OR of
 * every narrowed wave reached that named the hub). Hubs of later waves are absent.
 */
export function hubsReached(waves: readonly WavePlan[], upTo: number): Map<string, string | null> {
  const reached = new Map<string, DeviceSelector[] | null>(); // in wave order; null: the whole hub
  for (const wave of waves.slice(0, upTo + 1)) {
    for (const hub of wave.hubs) {
      const before = reached.get(hub);
      if (!wave.devices) reached.set(hub, null);
      else if (before !== null) reached.set(hub, [...(before ?? []), wave.devices]);
    }
  }
  return new Map(
    [...reached].map(([hub, selectors]) => {
      if (!selectors) return [hub, null];
      const [first, ...rest] = selectors.map(selectorToCondition);
      return [hub, anyOf(first!, ...rest).text];
    }),
  );
}

/** A revision rolls out wave by wave when its spec asks for it; a rollback revision always goes everywhere at once. */
export function isProgressive(revision: { readonly spec: { readonly rollout?: RolloutSpec | undefined }; readonly cause: { readonly kind: string } }): boolean {
  return revision.spec.rollout !== undefined && revision.cause.kind !== 'rollback';
}
