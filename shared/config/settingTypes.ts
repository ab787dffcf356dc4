// Building blocks for declaring app settings: each one carries the zod schema
// that parses it plus what a person needs to fix it (description, example).
import { z } from 'zod';

export interface SettingDoc {
  readonly description: string;
  readonly example: string;
  /** Never echoed in errors or logs. */
  readonly secret?: boolean;
}

/** A string app setting (Functions settings are always strings). */
export interface SettingDefinition<T> extends SettingDoc {
  readonly schema: z.ZodType<T, string | undefined>;
  readonly required: boolean;
}

export function setting<T>(schema: z.ZodType<T, string | undefined>, doc: SettingDoc & { required?: boolean }): SettingDefinition<T> {
  return { ...doc, schema, required: doc.required ?? true };
}

/** A JSON-valued setting: the text is parsed, then validated by `inner`. */
export function jsonSetting<T>(inner: z.ZodType<T>, fallback?: string): z.ZodType<T, string | undefined> {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const source = text ?? fallback;
      if (source === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return z.NEVER;
      }
      try {
        return JSON.parse(source) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(inner);
}

export const requiredString = z.string({ error: 'is required' }).trim().min(1, 'is required');
export const optionalString = z.string().trim().optional().transform((v) => (v ? v : undefined));

/** A whole number setting of at least `min`; unset or blank gives `fallback`. */
function wholeNumber(fallback: number, min: number, message: string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    });
}

export const positiveInt = (fallback: number) => wholeNumber(fallback, 1, 'must be a positive whole number');

/** A whole number of zero or more (0 usually turns the feature off). */
export const nonNegativeInt = (fallback: number) => wholeNumber(fallback, 0, 'must be a whole number, 0 or more');

export function bool(fallback: boolean) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });
}

/**
 * Why a value that is set cannot be the secret or setting it stands for, or
 * undefined when it can. App Service leaves a Key Vault reference it could not
 * resolve (missing secret, no access) as the literal `@Microsoft.KeyVault(...)`,
 * which anyone can derive from the app's host name, so it must never be used as
 * a secret. Placeholders are values copied from an example and never replaced.
 */
export function unusableValueReason(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'is empty';
  if (/^@Microsoft\.KeyVault\(/i.test(v)) return 'is an unresolved Key Vault reference (the secret does not exist, or the app identity may not read it)';
  if (/^<[^>]*>$/.test(v) || /^\$\{[^}]*\}$/.test(v) || /^(changeme|change-me|replace-?me|placeholder|todo|tbd|xxx+|secret|password|example|none|null|undefined|your[-_ ].*)$/i.test(v)) {
    return 'is a placeholder, not a real value';
  }
  return undefined;
}
