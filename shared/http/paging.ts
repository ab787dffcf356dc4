// Query parameters of list endpoints: `pageSize`, an opaque `continuationToken`
// (passed back as received), and a Kubernetes-style `labelSelector=k=v,k2=v2`.
import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { validationError } from './problem';

const labelPair = /^([^=,]{1,128})=([^=,]{0,128})$/;

export const listQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Items per page (1-100)' }),
  continuationToken: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9+/=_-]+$/, 'is not a continuation token this API issued')
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
