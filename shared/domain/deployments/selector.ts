// A device label selector ({env: 'prod', site: ['a','b']}) is the friendly way
// to target: it becomes tags.env='prod' AND tags.site IN ['a','b'].
import { z } from 'zod';
import { allOf, ConditionPath, type TargetCondition, targetCondition } from './targetCondition';

const scalar = z.union([z.string().max(128).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'), z.number(), z.boolean()]);

export const deviceSelectorSchema = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/, "must be a tag name or a dotted path of tag names (letters, digits, '_')")
      .max(128),
    z.union([scalar, z.array(scalar).min(1).max(50)]),
  )
  .refine((s) => Object.keys(s).length > 0, 'must name at least one tag')
  .meta({
    description: "Device twin tags to match: a value means equality, a list means any of (IN). Keys may be dotted paths into tags.",
    example: { env: 'prod', site: ['a', 'b'] },
  });
export type DeviceSelector = z.infer<typeof deviceSelectorSchema>;

/** Keys in sorted order so that the same selector always yields the same text. */
export function selectorToCondition(selector: DeviceSelector): TargetCondition {
  const clauses = Object.keys(selector)
    .sort()
    .map((key) => {
      const path = ConditionPath.tag(...key.split('.'));
      const value = selector[key];
      if (value === undefined) throw new TypeError('unreachable');
      return Array.isArray(value) ? targetCondition`${path} IN ${value}` : targetCondition`${path}=${value}`;
    });
  const [first, ...rest] = clauses;
  if (!first) throw new TypeError('a selector needs at least one tag');
  return allOf(first, ...rest);
}
