// How a rollout reads in GET /api/deployments/{id}/status: where it is, what
// its gate saw last, when it is judged next, and every transition so far.
import { z } from 'zod';
import { deviceSelectorSchema } from '../../domain/deployments/selector';
import type { GateFigures } from '../../domain/rollout/gate';
import type { RolloutState } from '../../domain/rollout/rolloutMachine';

const figuresSchema = z
  .object({
    succeeded: z.int(),
    progressing: z.int(),
    failed: z.int(),
    offline: z.int().meta({ description: 'Reported, never counted as failures (maxOfflinePercent is their own limit)' }),
    unknown: z.int(),
    failedPercent: z.number(),
    offlinePercent: z.number(),
    restartsDuringSoak: z
      .int()
      .nullable()
      .meta({ description: "Module restarts on the wave's devices since its soak began (gate.maxRestarts); null before the soak, or when no health was ingested" }),
  })
  .meta({ id: 'GateFigures', description: "The current wave's devices on the revision, by health state" });

const waveDevices = deviceSelectorSchema.nullable().meta({ description: "The devices of the wave's hubs it is narrowed to; null: whole hubs" });

const phaseSchema = z.enum(['applying', 'soaking', 'paused', 'rollingBack', 'rolledBack', 'completed', 'superseded', 'cancelled']).meta({ description: 'cancelled: the deployment was deleted mid-rollout' });

export const rolloutViewSchema = z
  .object({
    revision: z.int(),
    fromRevision: z.int().nullable().meta({ description: 'What a rollback restores' }),
    phase: phaseSchema,
    onFailure: z.enum(['pause', 'rollback']),
    currentWave: z.object({ index: z.int(), name: z.string(), hubs: z.array(z.string()), deviceSelector: waveDevices, soakSeconds: z.int() }),
    waves: z.array(z.object({ name: z.string(), hubs: z.array(z.string()), deviceSelector: waveDevices, soakSeconds: z.int(), state: z.enum(['done', 'current', 'waiting']) })),
    gate: z
      .object({
        figures: figuresSchema,
        outcome: z.enum(['pass', 'fail', 'wait']),
        reason: z.string(),
        message: z.string(),
        at: z.string(),
      })
      .nullable()
      .meta({ description: 'The gate as the latest reconcile pass judged it' }),
    soakUntil: z.string().nullable(),
    nextEvaluationAt: z.string().nullable().meta({ description: 'While soaking, when the gate can pass; failures are checked at every reconcile pass' }),
    rollbackRevision: z.int().nullable(),
    startedAt: z.string(),
    updatedAt: z.string(),
    history: z.array(
      z.object({ at: z.string(), from: phaseSchema.nullable(), to: phaseSchema, wave: z.int(), reason: z.string(), message: z.string(), figures: figuresSchema.optional() }),
    ),
  })
  .meta({ id: 'RolloutStatus', description: 'The latest progressive rollout of the deployment' });
export type RolloutView = z.infer<typeof rolloutViewSchema>;

// Figures recorded before restarts were counted have no restart figure.
const figuresView = (f: GateFigures) => ({ ...f, restartsDuringSoak: f.restartsDuringSoak ?? null });

export function rolloutView(s: RolloutState): RolloutView {
  const wave = s.plan.waves[s.wave]!;
  const finished = s.phase === 'completed';
  return {
    revision: s.revision,
    fromRevision: s.fromRevision,
    phase: s.phase,
    onFailure: s.plan.onFailure,
    currentWave: { index: s.wave, name: wave.name, hubs: [...wave.hubs], deviceSelector: wave.devices ?? null, soakSeconds: wave.soakSeconds },
    waves: s.plan.waves.map((w, i) => ({
      name: w.name,
      hubs: [...w.hubs],
      deviceSelector: w.devices ?? null,
      soakSeconds: w.soakSeconds,
      state: i < s.wave || finished ? 'done' : i === s.wave ? 'current' : 'waiting',
    })),
    gate: s.gate ? { figures: figuresView(s.gate.figures), outcome: s.gate.verdict.outcome, reason: s.gate.verdict.reason, message: s.gate.verdict.message, at: s.gate.at } : null,
    soakUntil: s.soakUntil,
    nextEvaluationAt: s.phase === 'soaking' ? s.soakUntil : null,
    rollbackRevision: s.rollbackRevision,
    startedAt: s.startedAt,
    updatedAt: s.updatedAt,
    history: s.history.map((h) => ({ ...h, ...(h.figures ? { figures: figuresView(h.figures) } : {}) })),
  };
}
