import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRoute } from '../../../local/host/routes';
import { authorized } from '../../../local/host/keys';
import { retryDelayMs } from '../../../local/host/eventHubTrigger';

describe('route templates', () => {
  it('binds parameters and matches literals case-insensitively', () => {
    assert.deepEqual(compileRoute('deployments/{id}/status').match('/Deployments/web/status'), { id: 'web' });
    assert.equal(compileRoute('deployments/{id}/status').match('/deployments/web'), undefined);
  });
  it('lets trailing optional parameters be absent', () => {
    const route = compileRoute('hubs/{name?}');
    assert.deepEqual(route.match('/hubs'), {});
    assert.deepEqual(route.match('/hubs/weu'), { name: 'weu' });
    assert.equal(route.match('/hubs/weu/x'), undefined);
  });
  it('collects the rest of the path in a catch-all', () => {
    assert.deepEqual(compileRoute('files/{*path}').match('/files/a/b%20c/d'), { path: 'a/b c/d' });
  });
  it('applies constraints', () => {
    const route = compileRoute('revisions/{n:int}');
    assert.deepEqual(route.match('/revisions/3'), { n: '3' });
    assert.equal(route.match('/revisions/three'), undefined);
  });
  it('ranks literal segments above parameters', () => {
    assert.ok(compileRoute('deployments/openapi').specificity > compileRoute('deployments/{id}').specificity);
  });
});

describe('function keys', () => {
  const keys = { functionKey: 'fk', masterKey: 'mk' };
  it('needs no key for anonymous, a function or master key for function, the master key for admin', () => {
    assert.equal(authorized('anonymous', undefined, keys), true);
    assert.equal(authorized('function', 'fk', keys), true);
    assert.equal(authorized('function', 'mk', keys), true);
    assert.equal(authorized('function', 'nope', keys), false);
    assert.equal(authorized('function', undefined, keys), false);
    assert.equal(authorized('admin', 'fk', keys), false);
    assert.equal(authorized('admin', 'mk', keys), true);
  });
});

describe('retry delays', () => {
  it('follows fixed and exponential strategies as the host does', () => {
    assert.equal(retryDelayMs({ retryStrategy: 'fixedDelay', delayInterval: { seconds: 2 } }, 3), 2000);
    const exp = { retryStrategy: 'exponentialBackoff' as const, minimumInterval: { seconds: 1 }, maximumInterval: { seconds: 5 } };
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayMs(exp, n)), [1000, 2000, 4000, 5000]);
  });
});
