import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chunkCreateOptions,
  CREATE_OPTIONS_MAX_CHUNKS,
  joinCreateOptions,
} from '../../../shared/domain/deployments/createOptions';
import { normalizeManifest } from '../../../shared/domain/deployments/normalize';
import type { AppError } from '../../../shared/errors';

const context = { registryCredentialNames: [] };
const normalize = (m: unknown) => normalizeManifest(m, context);
function rejected(m: unknown): AppError {
  const r = normalize(m);
  if (r.ok) assert.fail('accepted');
  assert.equal(r.error.status, 400);
  return r.error;
}
/** createOptions whose canonical JSON text is exactly `length` characters: {"Env":["xxx..."]} */
const optionsOfLength = (length: number) => ({ Env: ['x'.repeat(length - '{"Env":[""]}'.length)] });
const settingsOf = (m: unknown) => {
  const r = normalize(m);
  if (!r.ok) assert.fail(r.error.message);
  const modules = r.value.modulesContent.$edgeAgent?.['properties.desired'].modules as Record<string, { settings: Record<string, string> }>;
  return modules.web?.settings ?? {};
};

describe('createOptions chunking', () => {
  it('keeps 512 characters in one createOptions value', () => {
    const s = settingsOf({ modules: { web: { image: 'nginx', createOptions: optionsOfLength(512) } } });
    assert.deepEqual(Object.keys(s).sort(), ['createOptions', 'image']);
    assert.equal(s.createOptions?.length, 512);
  });
  it('splits 513 characters into createOptions and createOptions01', () => {
    const s = settingsOf({ modules: { web: { image: 'nginx', createOptions: optionsOfLength(513) } } });
    assert.deepEqual(Object.keys(s).sort(), ['createOptions', 'createOptions01', 'image']);
    assert.equal(s.createOptions?.length, 512);
    assert.equal(s.createOptions01, '}');
  });
  it('caps createOptions at 100 chunks (createOptions99), pointing at the module createOptions', () => {
    // 100 chunks are 51,200 characters, more than a 32 KB twin holds: the size limit always fires too,
    // but the chunk cap is reported on its own so the user sees both reasons.
    const max = CREATE_OPTIONS_MAX_CHUNKS * 512;
    const chunks = chunkCreateOptions('x'.repeat(max));
    assert.equal(Object.keys(chunks).length, 100);
    assert.equal(Object.keys(chunks).at(-1), 'createOptions99');
    const codes = (length: number) => rejected({ modules: { web: { image: 'nginx', createOptions: optionsOfLength(length) } } }).issues.map((i) => [i.pointer, i.code]);
    assert.deepEqual(codes(max), [['/manifest/modules', 'desired_properties_too_large']]);
    assert.deepEqual(codes(max + 1), [
      ['/manifest/modules/web/createOptions', 'create_options_too_long'],
      ['/manifest/modules', 'desired_properties_too_large'],
    ]);
  });
  it('round-trips: joining the chunks gives the text back', () => {
    const text = 'a'.repeat(2000);
    const chunks = chunkCreateOptions(text);
    assert.deepEqual(Object.keys(chunks), ['createOptions', 'createOptions01', 'createOptions02', 'createOptions03']);
    assert.deepEqual(joinCreateOptions({ image: 'x', ...chunks }), { text });
  });
  it('refuses a gap in the chunk sequence, which edgeAgent would silently truncate', () => {
    assert.deepEqual(joinCreateOptions({ createOptions: '{', createOptions02: '}' }), {
      error: 'chunk createOptions02 follows a missing createOptions01',
      key: 'createOptions02',
    });
  });
});

describe('IoT Hub limits', () => {
  const modules = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, { image: 'busybox:1.36' }]));

  it('accepts 50 modules and refuses 51', () => {
    assert.equal(normalize({ modules: modules(50) }).ok, true);
    const e = rejected({ modules: modules(51) });
    assert.deepEqual(e.issues.map((i) => [i.pointer, i.code]), [['/manifest/modules', 'too_many_modules']]);
  });

  it("refuses $edgeAgent desired properties over 32 KB", () => {
    // 40 modules with 900 characters of environment each: ~40 KB, no single value over 4 KB.
    const big = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`m${i}`, { image: 'busybox:1.36', env: { A: 'a'.repeat(450), B: 'b'.repeat(450) } }]),
    );
    const e = rejected({ modules: big });
    assert.deepEqual(e.issues.map((i) => i.code), ['desired_properties_too_large']);
    assert.equal(e.issues[0]?.pointer, '/manifest/modules');
    assert.match(e.issues[0]?.detail ?? '', /\$edgeAgent are \d+ bytes; a module twin holds at most 32768/);
  });

  it("refuses a module twin's desired properties over 32 KB, pointing at them", () => {
    const desiredProperties = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, 'x'.repeat(3500)]));
    const e = rejected({ modules: { web: { image: 'nginx', desiredProperties } } });
    assert.deepEqual(e.issues.map((i) => [i.pointer, i.code]), [['/manifest/modules/web/desiredProperties', 'desired_properties_too_large']]);
  });

  it('refuses one property value over 4 KB', () => {
    const e = rejected({ modules: { web: { image: 'nginx', env: { BLOB: 'x'.repeat(4097) } } } });
    assert.deepEqual(e.issues.map((i) => [i.pointer, i.code]), [['/manifest/modules/web/env/BLOB', 'property_value_too_large']]);
  });

  it('keeps room in $edgeAgent for the registry credentials filled in later', () => {
    const agentBytes = (length: number) => {
      const r = normalizeManifest({ modules: { web: { image: 'nginx', createOptions: optionsOfLength(length) } } }, { registryCredentialNames: ['acr'] });
      if (!r.ok) return Infinity;
      return Buffer.byteLength(JSON.stringify(r.value.modulesContent.$edgeAgent?.['properties.desired']), 'utf8');
    };
    let length = 30000;
    while (agentBytes(length + 100) < 32768 - 200) length += 100;
    assert.ok(agentBytes(length) > 32768 - 512 && agentBytes(length) < 32768);
    const withCredential = normalizeManifest(
      { modules: { web: { image: 'nginx', createOptions: optionsOfLength(length) } }, registryCredentials: ['acr'] },
      { registryCredentialNames: ['acr'] },
    );
    assert.ok(!withCredential.ok);
    assert.deepEqual(withCredential.error.issues.map((i) => i.code), ['desired_properties_too_large']);
  });

  it('refuses twin property names with . $ or spaces, and objects nested deeper than 10', () => {
    const e = rejected({ modules: { web: { image: 'nginx', env: { 'MY.VAR': 'x' }, desiredProperties: { 'a b': 1, ok: { $ref: 2 } } } } });
    assert.deepEqual(e.issues.map((i) => [i.pointer, i.code]), [
      ['/manifest/modules/web/env/MY.VAR', 'invalid_twin_key'],
      ['/manifest/modules/web/desiredProperties/a b', 'invalid_twin_key'],
      ['/manifest/modules/web/desiredProperties/ok/$ref', 'invalid_twin_key'],
    ]);
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10; i++) deep = { n: deep };
    const tooDeep = rejected({ modules: { web: { image: 'nginx', desiredProperties: deep } } });
    assert.deepEqual(tooDeep.issues.map((i) => i.code), ['too_deep']);
    assert.equal(normalize({ modules: { web: { image: 'nginx', desiredProperties: (deep.n as Record<string, unknown>) } } }).ok, true);
  });

  it('points a limit in the modulesContent form at the path the user wrote', () => {
    const desired = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, 'x'.repeat(3500)]));
    const e = rejected({
      modulesContent: {
        $edgeAgent: {
          'properties.desired': {
            schemaVersion: '1.1',
            runtime: { type: 'docker', settings: {} },
            systemModules: {
              edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } },
              edgeHub: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } },
            },
            modules: { web: { type: 'docker', settings: { image: 'nginx' } } },
          },
        },
        $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } },
        web: { 'properties.desired': desired },
      },
    });
    assert.deepEqual(e.issues.map((i) => i.pointer), ['/manifest/modulesContent/web/properties.desired']);
  });
});
