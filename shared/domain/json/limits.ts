// Limits every parsed request value is held to before any code walks it, so that
// no input can overflow the stack of a recursive walk (canonical JSON, merge patch),
// and nothing is silently changed on the way to a hub:
// - nesting at most MAX_JSON_DEPTH objects/arrays deep, also inside strings that
//   hold JSON text (createOptions is one), since those are parsed and walked later;
// - numbers finite and within +-(2^53 - 1): JSON `1e400` parses to Infinity, which
//   JSON.stringify writes as null, and larger integers lose digits;
// - no `__proto__` key: a plain-object copy turns it into a prototype change, so
//   it would pass validation and then vanish from what is stored and deployed.
// Iterative (an explicit stack), so the check itself cannot overflow.
import type { FieldIssue } from '../../errors';

export const MAX_JSON_DEPTH = 64;
export const MAX_JSON_NUMBER = Number.MAX_SAFE_INTEGER;
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__'];

const escape = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** The depth of `{`/`[` nesting in JSON-looking text, counted lexically (strings skipped). */
export function textNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The first way `value` breaks the limits, as a field issue with a JSON Pointer; undefined when it keeps them. */
export function jsonLimitIssue(value: unknown, pointerPrefix = ''): FieldIssue | undefined {
  const stack: { value: unknown; pointer: string; depth: number }[] = [{ value, pointer: pointerPrefix, depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { pointer: item.pointer, detail: 'is not a finite number (JSON numbers this large become Infinity)', code: 'number_too_large' };
      if (Math.abs(v) > MAX_JSON_NUMBER) return { pointer: item.pointer, detail: `is larger than ${MAX_JSON_NUMBER} in magnitude and cannot be kept exactly`, code: 'number_too_large' };
      continue;
    }
    if (typeof v === 'string') {
      const head = v.trimStart()[0];
      if ((head === '{' || head === '[') && textNestingDepth(v) > MAX_JSON_DEPTH) {
        return { pointer: item.pointer, detail: `holds JSON text nested deeper than ${MAX_JSON_DEPTH} levels`, code: 'too_deep' };
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (item.depth >= MAX_JSON_DEPTH) return { pointer: item.pointer, detail: `is nested deeper than ${MAX_JSON_DEPTH} levels`, code: 'too_deep' };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], pointer: `${item.pointer}/${i}`, depth: item.depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const pointer = `${item.pointer}/${escape(key)}`;
      if (FORBIDDEN_KEYS.includes(key)) return { pointer, detail: `'${key}' is not allowed as a key`, code: 'forbidden_key' };
      stack.push({ value: (v as Record<string, unknown>)[key], pointer, depth: item.depth + 1 });
    }
  }
  return undefined;
}
