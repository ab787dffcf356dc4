import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDeploymentRequest } from '../../../shared/domain/deployments/parseDeploymentRequest';
import type { ModulesContent } from '../../../shared/domain/deployments/edgeContent';
import { isManifestView, manifestWorkload } from '../../../shared/domain/kubernetes/manifestWorkload';

const root = join(__dirname, '..', '..', '..', '..');
type Containers = { name: string; image: string; env?: { name: string; value: string }[] }[];
const containersOf = (w: Record<string, unknown>) => ((w.spec as { template: { spec: { containers: Containers } } }).template.spec.containers);

describe('an IoT Edge manifest deployment as a read-only Deployment view', () => {
  it('shows the modules of a base deployment (the README sample) as containers with their images and env', () => {
    const body = readFileSync(join(root, 'docs', 'samples', 'deployment.json'), 'utf8');
    const parsed = parseDeploymentRequest(body, 'application/json', { registryCredentialNames: [] });
    assert.ok(parsed.ok);
    const view = manifestWorkload('temperature-sensor', parsed.value.normalized.modulesContent);
    assert.deepEqual(containersOf(view), [{ name: 'SimulatedTemperatureSensor', image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5', env: [{ name: 'MessageCount', value: '500' }] }]);
    assert.deepEqual((view.spec as { selector: unknown }).selector, { matchLabels: { app: 'temperature-sensor' } });
    assert.equal(isManifestView(view), true);
  });

  it('reads the modules of a layered deployment from their properties.desired.modules.<name> keys', () => {
    // The layered example of https://learn.microsoft.com/azure/iot-edge/module-deployment-monitoring ("Layered deployment").
    const content = {
      $edgeAgent: { 'properties.desired.modules.SimulatedTemperatureSensor': { settings: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5', createOptions: '' }, type: 'docker', status: 'running', restartPolicy: 'always', version: '1.5' } },
      $edgeHub: { 'properties.desired.routes.upstream': 'FROM /messages/* INTO $upstream' },
    } as unknown as ModulesContent;
    assert.deepEqual(containersOf(manifestWorkload('sensor-layer', content)), [{ name: 'SimulatedTemperatureSensor', image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' }]);
  });

  it('is not mistaken for a Kubernetes object sent by a user', () => {
    assert.equal(isManifestView({ metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } }), false);
    assert.equal(isManifestView({}), false);
  });
});
