// The real-world corpus (test/fixtures/real-world/README.md names each file's
// repository, path and commit): every file is deployed through the HTTP API and
// read back from the simulated hub through the real azure-iothub SDK. What the
// hub holds must be what the file says: every module, route, env value, desired
// property and createOptions content, inline registry credentials included
// (the hub needs them), while the API and Table storage never show a password.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TableServiceClient } from '@azure/data-tables';
import { parseAllDocuments } from 'yaml';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { type AppStack, fixture, startAppStack } from '../../helpers/appStack';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

// What the projects' own tools put in before deploying (README, "Placeholders"): iotedgedev expands
// environment variables (`${X}` and `$X`; unknown names, such as `$edgeAgent`, stay as they are), the
// iotedge pipelines replace `<Token>`s, the iot-edge-for-iiot pipeline `#TOKEN#`s.
const VALUES: Record<string, string> = {
  EDGEAGENT_SCHEMA_VERSION: '1.1',
  EDGEHUB_SCHEMA_VERSION: '1.2',
  EDGE_RUNTIME_VERSION: '1.5',
  RUNTIME_TAG: '1.5',
  'MODULES.LoRaWanNetworkSrvModule': 'contoso.azurecr.io/lorawannetworksrvmodule:2.2.0-amd64',
  'MODULES.LoRaWanPktFwdModule': 'contoso.azurecr.io/lorawanpktfwdmodule:2.2.0-amd64',
  'MODULES.sample_module': 'contoso.azurecr.io/sample_module:0.0.1-amd64',
  'MODULES.sample_module.debug': 'contoso.azurecr.io/sample_module:0.0.1-amd64.debug',
  'MODULES.opcpublisher': 'mcr.microsoft.com/iotedge/opc-publisher:2.8',
  Architecture: 'amd64',
  'Build.BuildNumber': '20240115.1',
  Container_Registry: 'contoso.azurecr.io',
  'CR.Username': 'corpus-user',
  'CR.Password': 'corpus-password-from-pipeline',
  LogRotationMaxFile: '7',
  proxyAddress: 'http://proxy.contoso.local:3128',
  CONTAINER_REGISTRY_ADDRESS: 'contoso.azurecr.io',
  CONTAINER_REGISTRY_USERNAME: 'corpus-user',
  CONTAINER_REGISTRY_PASSWORD: 'corpus-password-from-env',
  EDGEHUB_ROUTE: 'FROM /* INTO $upstream',
  ENGINE_NAME: 'engine',
  FACADE_AUTH_CODE: 'facade-code',
  FACADE_SERVER_URL: 'https://facade.contoso.local/api/',
  LOG_ANALYTICS_SHARED_KEY: 'bG9nLWFuYWx5dGljcy1rZXk=',
  LOG_ANALYTICS_WORKSPACE_ID: '00000000-0000-0000-0000-000000000000',
  NET_SRV_IOTEDGE_TIMEOUT: '0',
  NET_SRV_LOG_LEVEL: 'Error',
  NET_SRV_LOG_TO_TCP: 'false',
  NET_SRV_LOG_TO_TCP_ADDRESS: '127.0.0.1',
  PKT_FWD_SPI_DEV: '0',
  PKT_FWD_SPI_SPEED: '2',
  REGION: 'EU',
  RESET_PIN: '7',
  SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
};

function substitutePlaceholders(text: string): string {
  const value = (name: string, original: string) => VALUES[name] ?? original;
  return text
    .replace(/\$\{([A-Za-z_][\w.]*)\}/g, (m, name: string) => value(name, m))
    .replace(/\$([A-Z][A-Z0-9_]+)/g, (m, name: string) => value(name, m))
    .replace(/<([A-Za-z_][\w.]*)>/g, (m, name: string) => value(name, m))
    .replace(/#([A-Za-z_][\w.]*)#/g, (m, name: string) => value(name, m));
}

/** What IoT Edge reads from a modulesContent: layered path keys and createOptions chunks read as one. */
function asEdgeReadsIt(v: Json): Json {
  return createOptionsRead(pathKeysExpanded(v));
}

/**
 * Layered path keys (`properties.desired.a.b: v`) read as the nested desired properties they write
 * (`properties.desired: {a: {b: v}}`), the way IoT Hub applies a layer; a file that mixes both forms
 * compares by what lands in the twin.
 */
function pathKeysExpanded(content: Json): Json {
  if (!isObject(content)) return content;
  const out: Record<string, Json> = {};
  for (const [twin, twinContent] of Object.entries(content)) {
    if (!isObject(twinContent)) {
      out[twin] = twinContent;
      continue;
    }
    const desired: Record<string, Json> = {};
    for (const [key, value] of Object.entries(twinContent)) {
      const segments = key === 'properties.desired' ? [] : key.split('.').slice(2);
      let node = desired;
      for (const segment of segments.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, Json>;
      if (segments.length === 0) Object.assign(desired, value);
      else node[segments[segments.length - 1]!] = value;
    }
    out[twin] = { 'properties.desired': desired };
  }
  return out;
}

/**
 * createOptions as IoT Edge reads it: the string and its chunks (createOptions01, ...) joined, then parsed;
 * an object is what a dev tool would stringify. Everything else compares as it is.
 */
function createOptionsRead(v: Json): Json {
  if (Array.isArray(v)) return v.map(createOptionsRead);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  const chunks = Object.keys(v).filter((k) => /^createOptions\d{2}$/.test(k)).sort();
  for (const [key, x] of Object.entries(v)) {
    if (/^createOptions\d{2}$/.test(key)) continue;
    // edgeAgent reads an empty registryCredentials map as none; the canonical content drops it so that
    // equivalent manifests (modulesContent and compact forms) stay byte-identical.
    if (key === 'registryCredentials' && isObject(x) && Object.keys(x).length === 0) continue;
    if (key === 'createOptions') {
      const text = typeof x === 'string' ? x + chunks.map((c) => scalar(v[c])).join('') : JSON.stringify(x);
      out[key] = text.trim() === '' ? '' : (JSON.parse(text) as Json);
    } else out[key] = createOptionsRead(x);
  }
  return out;
}

/** A YAML scalar as text (names, images), for lookups and messages. */
const scalar = (v: Json | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v));

const files = readdirSync(fixture('real-world')).filter((f) => /\.(json|ya?ml)$/.test(f)).sort();
const idOf = (file: string) => `rw-${file.replace(/\.(json|ya?ml)$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')}`.slice(0, 60).replace(/-+$/, '');

describe('real-world corpus: deployed through the API, read back from the hub', () => {
  let stack: AppStack;
  const passwords = new Set<string>();
  /** Passwords some file also writes outside its registry credentials (a module env): kept there as written. */
  const writtenElsewhere = new Set<string>();
  before(async () => {
    stack = await startAppStack({ settings: { REGISTRY_SECRETS_KEY: randomBytes(32).toString('base64') } });
  });
  after(async () => stack.stop());

  const hubConfiguration = async (id: string) => {
    const h = stack.iothub.hubs.find((x) => x.name === 'weu')!;
    const registry = createRegistry({ name: h.name, region: h.region, labels: h.labels, units: 1, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } });
    return (await registry.getConfiguration(`${id}-r1`)).responseBody;
  };
  const deploy = async (id: string, manifest: unknown) => {
    const res = await stack.api('deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // One hub is enough to read the content back; the target names the corpus so no simulated device takes it.
      body: JSON.stringify({ id, target: { condition: `tags.corpus='${id}'` }, hubSelector: { names: ['weu'] }, manifest }),
    });
    const text = await res.text();
    assert.ok(res.status === 201 || res.status === 202, `${id}: ${res.status} ${text}`);
    return text;
  };

  it('holds at least 20 files from the projects the README names', () => {
    assert.ok(files.length >= 20, `${files.length} files`);
    const readme = readFileSync(fixture('real-world', 'README.md'), 'utf8');
    for (const file of files) assert.ok(readme.includes(`\`${file}\``), `${file} has no source in the README`);
  });

  for (const file of files.filter((f) => f.endsWith('.json'))) {
    it(`deploys ${file} and the hub holds its modulesContent intact`, async () => {
      const id = idOf(file);
      const sent = JSON.parse(substitutePlaceholders(readFileSync(fixture('real-world', file), 'utf8'))) as Record<string, Json>;
      const modulesContent = (sent.modulesContent ?? (sent.content as Record<string, Json> | undefined)?.modulesContent) as Json;
      assert.ok(isObject(modulesContent), `${file} has no modulesContent`);
      // A registry password that the file also writes elsewhere (a module's env, which is the module's own
      // business and kept as written) cannot be looked for as text; every other one must never show.
      const text = JSON.stringify(modulesContent);
      const all = [...text.matchAll(/"password"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
      const mine = all.filter((p) => text.split(JSON.stringify(p)).length === 2);
      for (const password of all) (mine.includes(password) ? passwords : writtenElsewhere).add(password);
      const answer = await deploy(id, sent);
      const config = await hubConfiguration(id);
      assert.deepEqual(asEdgeReadsIt(config.content!.modulesContent as Json), asEdgeReadsIt(modulesContent), `${file}: the hub's modulesContent differs from the file`);
      const read = await (await stack.api(`deployments/${id}`)).text();
      for (const [what, body] of [['the create answer', answer], ['GET', read]] as const) {
        for (const password of mine) assert.ok(!body.includes(password), `${file}: ${what} shows a registry password`);
        for (const [, shown] of body.matchAll(/"password"\s*:\s*"([^"]*)"/g)) assert.equal(shown, '<redacted>', `${file}: ${what} shows a registry password`);
      }
    });
  }

  for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
    it(`deploys ${file} and every container arrives as a module with its image and env`, async () => {
      const id = idOf(file);
      const text = readFileSync(fixture('real-world', file), 'utf8');
      const answer = await deploy(id, { kubernetes: text });
      const warnings = (JSON.parse(answer) as { warnings?: unknown[] }).warnings ?? [];
      const workload = parseAllDocuments(text)
        .map((d) => d.toJS() as Record<string, Json> | null)
        .find((d) => d && (d.kind === 'Deployment' || d.kind === 'Pod'))!;
      const podSpec = (workload.kind === 'Pod' ? workload.spec : ((workload.spec as Record<string, Json>).template as Record<string, Json>).spec) as Record<string, Json>;
      const config = await hubConfiguration(id);
      const agent = (config.content!.modulesContent as Record<string, Record<string, Record<string, Json>>>).$edgeAgent!['properties.desired']!;
      const modules = agent.modules as Record<string, Record<string, Json>>;
      for (const container of podSpec.containers as Record<string, Json>[]) {
        const module = modules[scalar(container.name)];
        assert.ok(module, `${file}: container ${scalar(container.name)} is not a module on the hub (modules: ${Object.keys(modules).join(', ')})`);
        assert.equal((module.settings as Record<string, Json>).image, container.image, `${file}: ${scalar(container.name)}'s image`);
        for (const env of (container.env ?? []) as Record<string, Json>[]) {
          if (env.value === undefined) {
            // valueFrom has no IoT Edge meaning: dropped, and the answer says so.
            assert.ok(JSON.stringify(warnings).includes(scalar(env.name)), `${file}: env ${scalar(env.name)} was dropped without a warning`);
            continue;
          }
          const edgeEnv = (module.env ?? {}) as Record<string, { value: Json }>;
          assert.equal(JSON.stringify(edgeEnv[scalar(env.name)]?.value), JSON.stringify(env.value), `${file}: ${scalar(container.name)} env ${scalar(env.name)}`);
        }
      }
    });
  }

  it('keeps no registry password as plain text in Table storage', async () => {
    assert.ok(passwords.size > 0, 'the corpus carries inline registry credentials');
    const service = TableServiceClient.fromConnectionString(stack.azurite.connectionString, { allowInsecureConnection: true });
    for await (const table of service.listTables()) {
      const client = (await import('@azure/data-tables')).TableClient.fromConnectionString(stack.azurite.connectionString, table.name!, { allowInsecureConnection: true });
      for await (const entity of client.listEntities()) {
        for (const [property, value] of Object.entries(entity)) {
          const text = JSON.stringify(value);
          for (const password of [...passwords].filter((p) => !writtenElsewhere.has(p))) assert.ok(!text.includes(password), `table ${table.name} row ${entity.partitionKey}/${entity.rowKey} holds a registry password as plain text in ${property}`);
        }
      }
    }
  });
});
