// Request bodies the HTTP functions validate that are not domain documents.
import { z } from 'zod';

export const rollbackRequestSchema = z
  .strictObject({
    revision: z.int().positive().meta({ description: 'The revision to return to; it becomes a new revision with the same spec', example: 3 }),
  })
  .meta({ id: 'RollbackRequest' });
