// How a module follows new image pushes (Keel-style). Part of a deployment's
// module spec; evaluated by the registry webhook. Default: no policy, never updated.
import { z } from 'zod';
import { dangerousRegexp } from './safeRegexp';

export const updatePolicySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('semver'),
    /** The largest change accepted: `patch` (1.2.x), `minor` (1.x), `major` (any higher version), always within the tag's variant (`-amd64`: tagVersion.ts). */
    level: z.enum(['patch', 'minor', 'major']),
    /** Accept pre-releases even when the current tag is not one. */
    allowPrerelease: z.boolean().default(false),
  }),
  z.object({ type: z.literal('glob'), pattern: z.string().min(1).max(256) }),
  z.object({
    type: z.literal('regexp'),
    pattern: z
      .string()
      .min(1)
      .max(256)
      .superRefine((pattern, ctx) => {
        const danger = dangerousRegexp(pattern);
        if (danger) ctx.addIssue({ code: 'custom', message: danger });
      }),
  }),
  /** Same tag re-pushed: pin the new digest. */
  z.object({ type: z.literal('digest') }),
  /** Any new tag. */
  z.object({ type: z.literal('force') }),
]);
export type UpdatePolicy = z.infer<typeof updatePolicySchema>;
