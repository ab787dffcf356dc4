// Registry pushes of tags as registries really name them, end to end through
// the function app in the local host: the README's quick-start sample follows
// a two-part tag (1.5 -> 1.5.1), and one push per CPU architecture moves each
// deployment only to its own architecture's build.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { hmacSignature } from '../../../shared/domain/registry/webhookAuth';
import { type AppStack, fixture, startAppStack } from '../../helpers/appStack';
import { projectRoot } from '../../helpers/fixtureApp';

const GENERIC_SECRET = 'generic-webhook-secret';
const ACR_TOKEN = 'acr-webhook-token';

interface Report {
  dryRun: boolean;
  changes: { deploymentId: string; module: string; from: string; to: string; reason: string }[];
  skipped: { deploymentId: string; module: string; pushed: string; reason: string }[];
  revisions: { deploymentId: string; revision: number; converged: boolean }[];
}

describe('registry pushes of real tags', () => {
  let stack: AppStack;
  before(async () => {
    stack = await startAppStack({ settings: { WEBHOOK_GENERIC_SECRET: GENERIC_SECRET, WEBHOOK_ACR_TOKEN: ACR_TOKEN } });
  });
  after(async () => stack.stop());

  const post = async (path: string, body: string, headers: Record<string, string>): Promise<Report> => {
    const res = await fetch(`${stack.baseUrl}/webhooks/registry/${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as Report;
  };
  const genericPush = (id: string, image: string, tag: string, query = '') => {
    const body = JSON.stringify({ id, type: 'push', pushes: [{ image, tag }] });
    return post(`generic${query}`, body, { 'x-signature-256': hmacSignature(GENERIC_SECRET, Buffer.from(body)) });
  };
  /** ACR's push event (test/fixtures/registry/acr/push.json, shaped after Microsoft's ACR webhook reference) for another repository, tag and media type. */
  const acrPush = (id: string, repository: string, tag: string, mediaType = 'application/vnd.docker.distribution.manifest.v2+json') => {
    const event = JSON.parse(readFileSync(fixture('registry', 'acr', 'push.json'), 'utf8')) as { id: string; target: Record<string, unknown>; request: { host: string } };
    event.id = id;
    event.target = { ...event.target, repository, tag, mediaType };
    event.request.host = 'contoso.azurecr.io';
    return post('acr', JSON.stringify(event), { authorization: `Bearer ${ACR_TOKEN}` });
  };
  const deployment = async (id: string) =>
    ((await (await stack.api(`deployments/${id}`)).json()) as { deployment: { revision: number; manifest: { modules: Record<string, { image: string }> } } }).deployment;
  const hubImage = async (hubName: string, configurationId: string, module: string) => {
    const h = stack.iothub.hubs.find((x) => x.name === hubName)!;
    const registry = createRegistry({ name: h.name, region: h.region, labels: h.labels, units: 1, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } });
    const config = (await registry.getConfigurations()).responseBody.find((c) => c.id === configurationId);
    const content = config?.content?.modulesContent as Record<string, Record<string, { modules: Record<string, { settings: { image: string } }> }>> | undefined;
    return content?.$edgeAgent?.['properties.desired']?.modules[module]?.settings.image;
  };

  describe('the README quick start', () => {
    const SENSOR = 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor';
    before(async () => {
      const created = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(join(projectRoot, 'docs', 'samples', 'deployment.json'), 'utf8') });
      assert.equal(created.status, 201, await created.text());
    });

    it('plans 1.5 -> 1.5.1 on a dry run and changes nothing', async () => {
      const plan = await genericPush('quickstart-1.5.1', SENSOR, '1.5.1', '?dryRun=true');
      assert.equal(plan.dryRun, true);
      assert.deepEqual(plan.changes.map((c) => [c.deploymentId, c.module, c.from, c.to, c.reason]), [
        ['temperature-sensor', 'SimulatedTemperatureSensor', `${SENSOR}:1.5`, `${SENSOR}:1.5.1`, 'semver patch: 1.5 -> 1.5.1'],
      ]);
      assert.deepEqual(plan.revisions, []);
      assert.equal((await deployment('temperature-sensor')).revision, 1);
    });

    it('makes a new revision on every hub the sample selected when the push is applied', async () => {
      const report = await genericPush('quickstart-1.5.1', SENSOR, '1.5.1');
      assert.deepEqual(report.revisions, [{ deploymentId: 'temperature-sensor', revision: 2, converged: true }]);
      const current = await deployment('temperature-sensor');
      assert.equal(current.revision, 2);
      assert.equal(current.manifest.modules.SimulatedTemperatureSensor?.image, `${SENSOR}:1.5.1`);
      for (const hub of stack.iothub.hubs) assert.equal(await hubImage(hub.name, 'temperature-sensor-r2', 'SimulatedTemperatureSensor'), `${SENSOR}:1.5.1`, hub.name);
    });
  });

  describe('one push per architecture', () => {
    const AGENT = 'contoso.azurecr.io/agent';
    const variants = { 'agent-amd64': '1.2.3-amd64', 'agent-arm32v7': '1.2.3-arm32v7', 'agent-arm64v8': '1.2.3-arm64v8', 'agent-multiarch': '1.2.3' };
    before(async () => {
      for (const [id, tag] of Object.entries(variants)) {
        const res = await stack.api('deployments', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, target: { selector: { env: 'prod' } }, hubSelector: { names: ['weu'] }, manifest: { modules: { agent: { image: `${AGENT}:${tag}`, updatePolicy: { type: 'semver', level: 'patch' } } } } }),
        });
        assert.equal(res.status, 201, await res.text());
      }
    });
    const images = async (): Promise<Record<string, string | undefined>> =>
      Object.fromEntries(await Promise.all(Object.keys(variants).map(async (id) => [id, (await deployment(id)).manifest.modules.agent?.image] as const)));

    it('moves each deployment only to its own architecture’s build, and says why the others did not move', async () => {
      const amd64 = await acrPush('push-amd64', 'agent', '1.2.4-amd64');
      assert.deepEqual(amd64.changes.map((c) => [c.deploymentId, c.to]), [['agent-amd64', `${AGENT}:1.2.4-amd64`]]);
      assert.deepEqual(
        amd64.skipped.map((s) => [s.deploymentId, s.reason]),
        [
          ['agent-arm32v7', "1.2.4-amd64 is variant 'amd64', the module runs variant 'arm32v7'"],
          ['agent-arm64v8', "1.2.4-amd64 is variant 'amd64', the module runs variant 'arm64v8'"],
          ['agent-multiarch', "1.2.4-amd64 is variant 'amd64', the module runs no variant (no suffix)"],
        ],
      );
      await acrPush('push-arm32v7', 'agent', '1.2.4-arm32v7');
      await acrPush('push-arm64v8', 'agent', '1.2.4-arm64v8');
      assert.deepEqual(await images(), {
        'agent-amd64': `${AGENT}:1.2.4-amd64`,
        'agent-arm32v7': `${AGENT}:1.2.4-arm32v7`,
        'agent-arm64v8': `${AGENT}:1.2.4-arm64v8`,
        'agent-multiarch': `${AGENT}:1.2.3`,
      });
      assert.equal(await hubImage('weu', 'agent-arm32v7-r2', 'agent'), `${AGENT}:1.2.4-arm32v7`, 'the ARM build reached the hub for the ARM deployment only');
      assert.equal(await hubImage('weu', 'agent-amd64-r2', 'agent'), `${AGENT}:1.2.4-amd64`);
    });

    it('moves only the deployments on unsuffixed tags for a multi-arch manifest list', async () => {
      const list = await acrPush('push-manifest-list', 'agent', '1.2.4', 'application/vnd.docker.distribution.manifest.list.v2+json');
      assert.deepEqual(list.changes.map((c) => [c.deploymentId, c.from, c.to]), [['agent-multiarch', `${AGENT}:1.2.3`, `${AGENT}:1.2.4`]]);
      assert.deepEqual(list.revisions.map((r) => [r.deploymentId, r.revision]), [['agent-multiarch', 2]]);
      const revisions = await Promise.all(Object.keys(variants).map(async (id) => [id, (await deployment(id)).revision]));
      assert.deepEqual(Object.fromEntries(revisions), { 'agent-amd64': 2, 'agent-arm32v7': 2, 'agent-arm64v8': 2, 'agent-multiarch': 2 }, 'one revision each, none moved twice');
      assert.equal((await images())['agent-amd64'], `${AGENT}:1.2.4-amd64`);
    });
  });
});
