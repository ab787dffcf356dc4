import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { authenticate, hmacSignature, needsBody, type ProviderAuth, sameSecret } from '../../../shared/domain/registry/webhookAuth';

const request = (headers: Record<string, string> = {}, query: Record<string, string> = {}) => ({
  header: (name: string) => headers[name],
  query: (name: string) => query[name],
});

describe('webhook authentication', () => {
  const body = Buffer.from('{"id":"ci-run-4711","type":"push"}');

  it('computes the GitHub-style signature: sha256= and the hex HMAC-SHA256 of the raw body', () => {
    assert.equal(hmacSignature('s3cret', body), `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
  });

  it('accepts a correct HMAC signature and refuses a wrong, missing or unsigned one', () => {
    const auth: ProviderAuth = { kind: 'hmac', header: 'x-signature-256' };
    const good = hmacSignature('s3cret', body);
    assert.ok(authenticate(auth, 's3cret', request({ 'x-signature-256': good }), body));
    assert.ok(authenticate(auth, 's3cret', request({ 'x-signature-256': good.toUpperCase().replace('SHA256=', 'sha256=') }), body), 'hex case does not matter');
    assert.ok(!authenticate(auth, 's3cret', request({ 'x-signature-256': hmacSignature('other', body) }), body));
    assert.ok(!authenticate(auth, 's3cret', request({ 'x-signature-256': good }), Buffer.concat([body, Buffer.from(' ')])), 'any change to the body breaks it');
    assert.ok(!authenticate(auth, 's3cret', request({ 'x-signature-256': good.slice(7) }), body), 'the sha256= prefix is part of it');
    assert.ok(!authenticate(auth, 's3cret', request(), body));
    assert.ok(!authenticate(auth, 's3cret', request({ 'x-signature-256': good })), 'no body read yet');
    assert.ok(needsBody(auth));
  });

  it('accepts a bearer token (or the bare token Harbor may send) and refuses anything else', () => {
    const auth: ProviderAuth = { kind: 'bearer' };
    assert.ok(authenticate(auth, 'tok', request({ authorization: 'Bearer tok' })));
    assert.ok(authenticate(auth, 'tok', request({ authorization: 'tok' })));
    assert.ok(!authenticate(auth, 'tok', request({ authorization: 'Bearer tok2' })));
    assert.ok(!authenticate(auth, 'tok', request({ authorization: 'Basic dG9rOg==' })));
    assert.ok(!authenticate(auth, 'tok', request()));
    assert.ok(!needsBody(auth));
  });

  it('accepts the Docker Hub token from the URL only', () => {
    const auth: ProviderAuth = { kind: 'query', parameter: 'token' };
    assert.ok(authenticate(auth, 'tok', request({}, { token: 'tok' })));
    assert.ok(!authenticate(auth, 'tok', request({ authorization: 'Bearer tok' }, {})));
    assert.ok(!authenticate(auth, 'tok', request({}, { token: '' })));
  });

  it('compares secrets of different lengths without throwing', () => {
    assert.ok(sameSecret('abc', 'abc'));
    assert.ok(!sameSecret('abc', 'abcd'));
    assert.ok(!sameSecret('', 'x'));
  });
});
