// Rotating an inline registry credential (the password written in the manifest's
// registryCredentials, as every IoT Edge template does): the hub ends up holding the
// new password without a new user revision and without ContentConflict (IoT Hub
// content is immutable, so the configuration is made again), and neither the API
// nor the logs ever show a password.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRegistry } from '../../../shared/adapters/iothub/createRegistry';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const OLD = 'old-registry-password-7f3a';
const NEW = 'new-registry-password-91c2';

// The credential as Microsoft's templates write it (Azure/iotedgedev iotedgedev/template/deployment.template.json).
const request = (password: string) => ({
  id: 'rotating',
  target: { condition: "tags.env='rotation'" },
  hubSelector: { names: ['weu'] },
  manifest: {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: {
            type: 'docker',
            settings: { minDockerVersion: 'v1.25', loggingOptions: '', registryCredentials: { contoso: { username: 'contoso', password, address: 'contoso.azurecr.io' } } },
          },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '' } },
          },
          modules: { filter: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'contoso.azurecr.io/filter:1.0.0-amd64', createOptions: '' } } },
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.2', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  },
});

describe('inline registry credential rotation', () => {
  let stack: AppStack;
  const answers: string[] = [];
  before(async () => {
    stack = await startAppStack({ settings: { REGISTRY_SECRETS_KEY: randomBytes(32).toString('base64') } });
  });
  after(async () => stack.stop());

  const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
    const res = await stack.api(path, init);
    const text = await res.text();
    answers.push(text);
    return { status: res.status, headers: res.headers, text };
  };
  const hubPasswords = async () => {
    const h = stack.iothub.hubs.find((x) => x.name === 'weu')!;
    const registry = createRegistry({ name: h.name, region: h.region, labels: h.labels, units: 1, connection: h.connectionString, local: { endpoint: h.localEndpoint, caFile: h.caFile } });
    const mine = (await registry.getConfigurations()).responseBody.filter((c) => c.labels?.fleetDeployment === 'rotating');
    return mine.map((c) => {
      const agent = (c.content!.modulesContent as Record<string, Record<string, { runtime: { settings: { registryCredentials: Record<string, { password: string }> } } }>>).$edgeAgent!['properties.desired']!;
      return { id: c.id, password: agent.runtime.settings.registryCredentials.contoso?.password };
    });
  };

  it('puts the new password on the hub after a reconcile, keeps the revision, and never shows a password', async () => {
    const created = await call('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request(OLD)) });
    assert.ok(created.status === 201 || created.status === 202, created.text);
    assert.deepEqual((await hubPasswords()).map((c) => c.password), [OLD]);

    const etag = created.headers.get('etag')!;
    const rotated = await call('deployments/rotating', { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': etag }, body: JSON.stringify(request(NEW)) });
    assert.ok(rotated.status === 200 || rotated.status === 202, rotated.text);
    const body = JSON.parse(rotated.text) as { deployment: { revision: number } };
    assert.equal(body.deployment.revision, 1, 'a password change is not a new user revision');

    const pass = await call('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.equal(pass.status, 200, pass.text);
    const onHub = await hubPasswords();
    assert.deepEqual(onHub.map((c) => c.password), [NEW], `the hub holds ${JSON.stringify(onHub.map((c) => c.id))}`);

    const deployment = await call('deployments/rotating');
    const hubs = (JSON.parse(deployment.text) as { hubs: { hub: string; state: string; lastError: { code: string } | null }[] }).hubs;
    assert.deepEqual(
      hubs.map((h) => [h.hub, h.state, h.lastError?.code ?? null]),
      [['weu', 'applied', null]],
    );
    await call('deployments/rotating/status');

    for (const text of [...answers, JSON.stringify(stack.logs)]) {
      assert.ok(!text.includes(OLD) && !text.includes(NEW), `a password shows in: ${text.slice(0, 200)}`);
    }
  });
});
