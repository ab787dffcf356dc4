import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configurationId } from '../../../shared/domain/deployments/configurationId';
import { toConfiguration } from '../../../shared/domain/deployments/configuration';
import { applyMergePatch, patchSpec } from '../../../shared/domain/deployments/mergePatch';
import { moduleImages, withModuleImage } from '../../../shared/domain/deployments/moduleImage';
import { type ParsedDeploymentRequest, parseDeploymentRequest } from '../../../shared/domain/deployments/parseDeploymentRequest';
import { createRevision, nextRevisionNumber, type Revision, rollbackRevision, sameContent } from '../../../shared/domain/deployments/revision';
import { selectorToCondition } from '../../../shared/domain/deployments/selector';
import { fixtureText } from './fixtures';

const context = { registryCredentialNames: ['acr-prod'] };
const credentials = { 'acr-prod': { address: 'myacr.azurecr.io', username: 'myacr', password: 's3cret' } };
const now = new Date('2026-11-24T22:00:00Z');

function request(body: unknown): ParsedDeploymentRequest {
  const r = parseDeploymentRequest(body, 'application/json', context);
  if (!r.ok) assert.fail(`${r.error.message} ${JSON.stringify(r.error.issues)}`);
  return r.value;
}
const base = () =>
  request({
    id: 'sensor',
    labels: { team: 'ops' },
    priority: 20,
    target: { selector: { env: 'prod' } },
    manifest: { modules: { sensor: { image: 'myacr.azurecr.io/sensor:1.0.0' } }, registryCredentials: ['acr-prod'] },
  });
const revisionOf = (p: ParsedDeploymentRequest, number = 1): Revision =>
  createRevision({ number, spec: p.spec, normalized: p.normalized, createdAt: now, cause: { kind: 'create' } });

describe('JSON merge patch (RFC 7396)', () => {
  it('follows the RFC examples: merge objects, null deletes, arrays and scalars replace', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) assert.deepEqual(applyMergePatch(target, patch), result);
  });
});

describe('patching a deployment spec', () => {
  it('changes the priority and keeps the rest, normalising again', () => {
    const p = base();
    const r = patchSpec('sensor', p.spec, { priority: 30, labels: { team: null, owner: 'me' } }, context);
    if (!r.ok) assert.fail(r.error.message);
    assert.equal(r.value.spec.priority, 30);
    assert.deepEqual(r.value.spec.labels, { owner: 'me' });
    assert.equal(JSON.stringify(r.value.normalized.modulesContent), JSON.stringify(p.normalized.modulesContent));
  });
  it('switches manifest forms when the old key is nulled', () => {
    const r = patchSpec('sensor', base().spec, { manifest: { modules: null, registryCredentials: null, kubernetes: fixtureText('kubernetes/env.yaml') } }, context);
    if (!r.ok) assert.fail(JSON.stringify(r.error.issues));
    assert.deepEqual(Object.keys(r.value.spec.manifest), ['kubernetes']);
  });
  it('refuses to change the id and validates the result with pointers', () => {
    const moved = patchSpec('sensor', base().spec, { id: 'other' }, context);
    assert.ok(!moved.ok && moved.error.issues[0]?.pointer === '/id');
    const bad = patchSpec('sensor', base().spec, { manifest: { modules: { sensor: { image: 'BAD' } } } }, context);
    assert.ok(!bad.ok && bad.error.issues[0]?.pointer === '/manifest/modules/sensor/image');
    const notObject = patchSpec('sensor', base().spec, [1], context);
    assert.ok(!notObject.ok && notObject.error.status === 400);
  });
});

describe('revisions', () => {
  it('records the spec, canonical content, condition and cause', () => {
    const rev = revisionOf(base());
    assert.equal(rev.number, 1);
    assert.equal(rev.targetCondition, "tags.env='prod'");
    assert.deepEqual(rev.registryCredentials, ['acr-prod']);
    assert.equal(rev.createdAt, '2026-11-24T22:00:00.000Z');
    assert.deepEqual(rev.cause, { kind: 'create' });
    assert.equal(JSON.stringify(rev).includes('s3cret'), false);
  });
  it('numbers the next revision after the highest, and a rollback copies the old content exactly', () => {
    const r1 = revisionOf(base(), 1);
    const r2 = revisionOf(request({ ...base().spec, id: 'sensor', manifest: { modules: { sensor: { image: 'busybox:1.36' } } } }), 2);
    assert.equal(nextRevisionNumber([r1, r2]), 3);
    assert.equal(nextRevisionNumber([]), 1);
    const r3 = rollbackRevision(r1, 3, now);
    assert.deepEqual(r3.cause, { kind: 'rollback', toRevision: 1 });
    assert.ok(sameContent(r3, r1));
    assert.ok(!sameContent(r2, r1));
  });
  it('a registry push changes one module image in the form the user wrote', () => {
    const compact = withModuleImage(base().spec, 'sensor', 'myacr.azurecr.io/sensor:1.0.1');
    if (!compact.ok) assert.fail(compact.error.message);
    assert.equal((compact.value.manifest as { modules: Record<string, { image: string }> }).modules.sensor?.image, 'myacr.azurecr.io/sensor:1.0.1');
    const yaml = request({ id: 'gw', manifest: { kubernetes: fixtureText('kubernetes/deployment.yaml') } });
    const k8s = withModuleImage(yaml.spec, 'publisher', 'myacr.azurecr.io/iotedge/opc-publisher:2.9.5');
    if (!k8s.ok) assert.fail(k8s.error.message);
    const text = (k8s.value.manifest as { kubernetes: string }).kubernetes;
    assert.match(text, /# Every mapped field at once/);
    const again = parseDeploymentRequest({ id: 'gw', manifest: { kubernetes: text } }, 'application/json', context);
    assert.ok(again.ok);
    assert.deepEqual(moduleImages(again.value.normalized.modulesContent), { publisher: 'myacr.azurecr.io/iotedge/opc-publisher:2.9.5' });
    const missing = withModuleImage(base().spec, 'ghost', 'x');
    assert.ok(!missing.ok && missing.error.status === 404);
  });
});

describe('IoT Hub configuration for a revision', () => {
  it('has the revision id, content, condition, priority and the managed labels naming the installation', () => {
    const rev = revisionOf(base(), 4);
    const r = toConfiguration('sensor', rev, { registryCredentials: credentials, installationId: 'test' });
    if (!r.ok) assert.fail(r.error.message);
    const c = r.value;
    assert.equal(c.id, configurationId('sensor', 4));
    assert.equal(c.id, 'sensor-r4');
    assert.equal(c.targetCondition, "tags.env='prod'");
    assert.equal(c.priority, 20);
    assert.deepEqual(c.labels, { team: 'ops', managedBy: 'edge-fleet-control-plane', fleetDeployment: 'sensor', fleetRevision: '4', fleetInstallation: 'test' });
    const runtime = c.content.modulesContent.$edgeAgent?.['properties.desired'].runtime as { settings: Record<string, unknown> };
    assert.deepEqual(runtime.settings.registryCredentials, { 'acr-prod': credentials['acr-prod'] });
  });
  it('is byte-identical every time, so an existing configuration can be compared by content', () => {
    const a = toConfiguration('sensor', revisionOf(base(), 4), { registryCredentials: credentials, installationId: 'test' });
    const b = toConfiguration('sensor', revisionOf(base(), 4), { registryCredentials: { ...credentials, other: credentials['acr-prod'] }, installationId: 'test' });
    assert.ok(a.ok && b.ok);
    assert.equal(JSON.stringify(a.value), JSON.stringify(b.value));
  });
  it('ANDs a rollout wave narrowing onto the target condition', () => {
    const p = request({ ...base().spec, id: 'sensor', target: { condition: "tags.env='prod' OR tags.env='qa'" } });
    const r = toConfiguration('sensor', revisionOf(p), { registryCredentials: credentials, narrowTo: selectorToCondition({ ring: 'canary' }), installationId: 'test' });
    assert.ok(r.ok);
    assert.equal(r.value.targetCondition, "(tags.env='prod' OR tags.env='qa') AND tags.ring='canary'");
  });
  it('fails terminally when a referenced credential has left the settings', () => {
    const r = toConfiguration('sensor', revisionOf(base()), { registryCredentials: {}, installationId: 'test' });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'RegistryCredentialMissing');
    assert.equal(r.error.retryable, false);
  });
});
