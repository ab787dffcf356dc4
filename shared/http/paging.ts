// Query parameters of list endpoints: `pageSize`, an opaque `continuationToken`,
// and a Kubernetes-style `labelSelector=k=v,k2=v2`.
//
// Continuation tokens are the store's own cursor, HMAC-signed with the list it
// belongs to (`<cursor>.<mac>`): a token this API did not issue, or one issued
// for another list, is a 400 naming the parameter before anything reaches
// storage, so a made-up token can never look like a storage outage.
import type { HttpRequest } from '@azure/functions';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { FORBIDDEN_KEYS } from '../domain/json/limits';
import { AppError } from '../errors';
import { validationError } from './problem';

const labelPair = /^([^=,]{1,128})=([^=,]{0,128})$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,4000}\.[A-Za-z0-9_-]{22}$/;

export const listQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Items per page (1-100)' }),
  continuationToken: z
    .string()
    .max(4096)
    .regex(TOKEN_PATTERN, 'is not a continuation token this API issued')
    .optional()
    .meta({ description: 'Opaque token from the previous page' }),
  labelSelector: z
    .string()
    .max(2048)
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      const labels: Record<string, string> = {};
      for (const part of text.split(',')) {
        const match = labelPair.exec(part.trim());
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `'${part}' is not key=value` });
          return z.NEVER;
        }
        // `__proto__=x` would set the object's prototype and select every deployment.
        if (FORBIDDEN_KEYS.includes(match[1]!)) {
          ctx.addIssue({ code: 'custom', message: `'${match[1]}' is not allowed as a label key` });
          return z.NEVER;
        }
        labels[match[1]!] = match[2]!;
      }
      return labels;
    })
    .meta({ description: 'Only items whose labels all match, e.g. team=edge,env=prod' }),
});

export type ListQuery = z.infer<typeof listQuerySchema>;

export function parseListQuery(request: HttpRequest): ListQuery {
  const parsed = listQuerySchema.safeParse(Object.fromEntries(request.query));
  if (!parsed.success) throw validationError(parsed.error, 'The query', '?');
  return parsed.data;
}

export interface PageTokens {
  /** The token a client gets for the store's cursor on list `scope`; null on the last page. */
  seal(scope: string, cursor: string | undefined): string | null;
  /** The store's cursor inside a token issued for `scope`; 400 for anything else. */
  open(scope: string, token: string): string;
}

const invalidToken = () =>
  new AppError('InvalidContinuationToken', 400, 'continuationToken is not one this API issued for this list; start again without it.', {
    issues: [{ pointer: '?/continuationToken', detail: 'is not a token this API issued for this list', code: 'invalid_token' }],
    retryable: false,
  });

/**
 * Signs with `key` (PAGE_TOKEN_KEY, the same on every instance). Without one,
 * a random key is made: tokens then hold only on this instance (the local host).
 */
export function pageTokens(key: string | undefined): PageTokens {
  const secret = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  const mac = (scope: string, cursor: string) => createHmac('sha256', secret).update(`${scope}\0${cursor}`).digest().subarray(0, 16);
  return {
    seal(scope, cursor) {
      if (!cursor) return null;
      return `${Buffer.from(cursor, 'utf8').toString('base64url')}.${mac(scope, cursor).toString('base64url')}`;
    },
    open(scope, token) {
      const [body, signature] = token.split('.');
      if (!body || !signature || !TOKEN_PATTERN.test(token)) throw invalidToken();
      const cursor = Buffer.from(body, 'base64url').toString('utf8');
      const presented = Buffer.from(signature, 'base64url');
      const expected = mac(scope, cursor);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalidToken();
      return cursor;
    },
  };
}
