import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalStringify } from '../../../shared/domain/deployments/canonicalJson';
import { type NormalizedManifest, normalizeManifest } from '../../../shared/domain/deployments/normalize';
import type { AppError } from '../../../shared/errors';
import { fixtureJson } from './fixtures';

const context = { registryCredentialNames: ['acr-prod'] };

function normalized(manifest: unknown): NormalizedManifest {
  const r = normalizeManifest(manifest, context);
  if (!r.ok) assert.fail(`${r.error.message} ${JSON.stringify(r.error.issues)}`);
  return r.value;
}
function rejected(manifest: unknown): AppError {
  const r = normalizeManifest(manifest, context);
  if (r.ok) assert.fail('accepted');
  assert.equal(r.error.status, 400);
  return r.error;
}
const pointers = (e: AppError) => e.issues.map((i) => i.pointer);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('manifest normalisation', () => {
  const expected = fixtureJson('expected/sensor-modulesContent.json');

  it('expands the compact form with edgeAgent/edgeHub 1.5, schema 1.1 and default store-and-forward', () => {
    const n = normalized(fixtureJson('compact.json'));
    assert.deepEqual(n.modulesContent, expected);
    assert.deepEqual(n.registryCredentials, ['acr-prod']);
    assert.deepEqual(n.updatePolicies, { SimulatedTemperatureSensor: { allowPrerelease: false, level: 'minor', type: 'semver' } });
  });

  it('turns the equivalent modulesContent form into byte-identical content', () => {
    const fromFull = normalized(fixtureJson('modulesContent.json'));
    const fromCompact = normalized(fixtureJson('compact.json'));
    assert.equal(canonicalStringify(fromFull.modulesContent), canonicalStringify(fromCompact.modulesContent));
    assert.equal(JSON.stringify(fromFull.modulesContent), JSON.stringify(fromCompact.modulesContent));
  });

  it('is deterministic: key order and createOptions formatting do not change a byte', () => {
    const a = fixtureJson('compact.json') as { modules: Record<string, Record<string, unknown>> };
    const reordered = {
      registryCredentials: ['acr-prod'],
      routes: (a as unknown as { routes: unknown }).routes,
      modules: {
        filter: a.modules.filter,
        SimulatedTemperatureSensor: {
          ...Object.fromEntries(Object.entries(a.modules.SimulatedTemperatureSensor ?? {}).reverse()),
          createOptions: '{\n  "HostConfig" : { "Memory": 134217728 }\n}',
        },
      },
    };
    const first = JSON.stringify(normalized(a).modulesContent);
    assert.equal(JSON.stringify(normalized(reordered).modulesContent), first);
    assert.equal(JSON.stringify(normalized(clone(a)).modulesContent), first);
  });

  it('defaults routes to everything upstream and fills module defaults', () => {
    const n = normalized({ modules: { web: { image: 'nginx' } } });
    const desired = n.modulesContent.$edgeHub?.['properties.desired'];
    assert.deepEqual(desired?.routes, { upstream: 'FROM /messages/* INTO $upstream' });
    const web = (n.modulesContent.$edgeAgent?.['properties.desired'].modules as Record<string, unknown>).web;
    assert.deepEqual(web, { restartPolicy: 'always', settings: { createOptions: '{}', image: 'nginx' }, status: 'running', type: 'docker', version: '1.0' });
  });

  it('reassembles already-chunked createOptions in a modulesContent manifest', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { modulesContent: Record<string, Record<string, Record<string, unknown>>> };
    const sensor = (m.modulesContent.$edgeAgent?.['properties.desired']?.modules as Record<string, { settings: Record<string, string> }>).SimulatedTemperatureSensor;
    if (!sensor) assert.fail('fixture');
    sensor.settings = { image: sensor.settings.image ?? '', createOptions: '{"HostConfig":', createOptions01: '{"Memory":134217728}}' };
    assert.deepEqual(normalized(m).modulesContent, expected);
  });
});

describe('manifest validation', () => {
  it('points at an invalid image reference', () => {
    const e = rejected({ modules: { web: { image: 'Nginx:latest' } } });
    assert.deepEqual(pointers(e), ['/manifest/modules/web/image']);
    assert.match(e.issues[0]?.detail ?? '', /repository path/);
  });
  it('points at a registry credential name that settings do not have', () => {
    const e = rejected({ modules: { web: { image: 'nginx' } }, registryCredentials: ['acr-prod', 'nope'] });
    assert.deepEqual(pointers(e), ['/manifest/registryCredentials/1']);
  });
  it('takes inline registry credentials out of the content, to be sealed apart, and redacts their password path', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { registryCredentials?: unknown; modulesContent: { $edgeAgent: { 'properties.desired': { runtime: { settings: Record<string, unknown> } } } } };
    delete m.registryCredentials;
    m.modulesContent.$edgeAgent['properties.desired'].runtime.settings.registryCredentials = { acr: { username: 'u', password: 'p', address: 'a.io' } };
    const n = normalized(m);
    assert.equal(JSON.stringify(n.modulesContent).includes('"p"'), false);
    assert.deepEqual(n.inlineCredentials.acr, { address: 'a.io', username: 'u', password: 'p', pointer: '/manifest/modulesContent/$edgeAgent/properties.desired/runtime/settings/registryCredentials/acr' });
    assert.deepEqual(n.redact, [['modulesContent', '$edgeAgent', 'properties.desired', 'runtime', 'settings', 'registryCredentials', 'acr', 'password']]);
  });
  it('refuses an inline credential name IoT Hub cannot hold as a twin key (an unsubstituted $VAR)', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { registryCredentials?: unknown; modulesContent: { $edgeAgent: { 'properties.desired': { runtime: { settings: Record<string, unknown> } } } } };
    delete m.registryCredentials;
    m.modulesContent.$edgeAgent['properties.desired'].runtime.settings.registryCredentials = { $ACR_USER: { username: 'u', password: 'p', address: 'a.io' } };
    assert.deepEqual(pointers(rejected(m)), ['/manifest/modulesContent/$edgeAgent/properties.desired/runtime/settings/registryCredentials/$ACR_USER']);
  });
  it('refuses unknown fields instead of dropping them, and reserved or invalid module names', () => {
    assert.deepEqual(pointers(rejected({ modules: { web: { image: 'nginx', restartpolicy: 'always' } } })), ['/manifest/modules/web']);
    assert.deepEqual(pointers(rejected({ modules: { edgeHub: { image: 'nginx' } } })), ['/manifest/modules/edgeHub']);
    assert.deepEqual(pointers(rejected({ modules: { 'we b': { image: 'nginx' } } })), ['/manifest/modules/we b']);
  });
  it('refuses createOptions that are not a JSON object', () => {
    assert.deepEqual(pointers(rejected({ modules: { web: { image: 'nginx', createOptions: '{"HostConfig":' } } })), ['/manifest/modules/web/createOptions']);
    assert.deepEqual(pointers(rejected({ modules: { web: { image: 'nginx', createOptions: '[1]' } } })), ['/manifest/modules/web/createOptions']);
  });
  it('accepts a module twin for a module the deployment does not run (IoT Hub does), with a warning', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { modulesContent: Record<string, unknown> };
    m.modulesContent.ghost = { 'properties.desired': { a: 1 } };
    const n = normalized(m);
    assert.deepEqual(n.modulesContent.ghost, { 'properties.desired': { a: 1 } });
    assert.deepEqual(n.warnings.map((w) => [w.code, w.pointer]), [['twin_without_module', '/manifest/modulesContent/ghost']]);
  });
  it('refuses update policies for modules that do not exist', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { updatePolicies: Record<string, unknown> };
    m.updatePolicies.ghost = { type: 'force' };
    assert.deepEqual(pointers(rejected(m)), ['/manifest/updatePolicies/ghost']);
  });
  it('refuses object routes for an edgeHub on schema 1.0', () => {
    const m = clone(fixtureJson('modulesContent.json')) as { modulesContent: { $edgeHub: { 'properties.desired': { schemaVersion: string } } } };
    m.modulesContent.$edgeHub['properties.desired'].schemaVersion = '1.0';
    assert.deepEqual(pointers(rejected(m)), ['/manifest/modulesContent/$edgeHub/properties.desired/routes/filterToUpstream']);
  });
  it('says which forms exist when the manifest is none of them', () => {
    const e = rejected({ containers: [] });
    assert.deepEqual(pointers(e), ['/manifest']);
    assert.match(e.issues[0]?.detail ?? '', /modulesContent .* modules .* kubernetes/);
  });
});
