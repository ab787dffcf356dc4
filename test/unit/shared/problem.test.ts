import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { errorResponse, validationError } from '../../../shared/http/problem';

describe('problem+json', () => {
  it('points each validation issue at its field with a JSON Pointer', () => {
    const schema = z.object({ modules: z.record(z.string(), z.object({ image: z.string().min(1) })) });
    const parsed = schema.safeParse({ modules: { 'web/a': { image: '' } } });
    assert.equal(parsed.success, false);
    const error = validationError(parsed.error, 'The deployment');
    assert.equal(error.status, 400);
    assert.deepEqual(error.issues.map((i) => i.pointer), ['/modules/web~1a/image']);
  });

  it('answers an unknown error with an opaque 500 that leaks nothing', () => {
    const res = errorResponse(new Error('password=hunter2 at db.internal'));
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.body as string, /hunter2|db\.internal/);
    assert.equal((res.headers as Record<string, string>)['content-type'], 'application/problem+json');
  });

  it('carries retry-after for throttled errors', () => {
    const res = errorResponse(new AppError('Throttled', 429, 'slow down', { retryAfterSeconds: 2.2 }));
    assert.equal((res.headers as Record<string, string>)['retry-after'], '3');
  });
});
