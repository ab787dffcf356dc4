import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { deploymentRequestSchema } from '../../../shared/domain/deployments/deploymentSpec';
import { type ParsedDeploymentRequest, parseDeploymentRequest } from '../../../shared/domain/deployments/parseDeploymentRequest';
import type { AppError } from '../../../shared/errors';
import { fixtureJson, fixtureText } from './fixtures';

const context = { registryCredentialNames: ['acr-prod'] };
const sample = () => ({
  id: 'temperature-sensor',
  target: { selector: { env: 'prod' } },
  manifest: { modules: { sensor: { image: 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5' } } },
});

function accepted(body: unknown, contentType = 'application/json'): ParsedDeploymentRequest {
  const r = parseDeploymentRequest(body, contentType, context);
  if (!r.ok) assert.fail(`${r.error.message} ${JSON.stringify(r.error.issues)}`);
  return r.value;
}
function refused(body: unknown, contentType = 'application/json'): AppError {
  const r = parseDeploymentRequest(body, contentType, context);
  if (r.ok) assert.fail('accepted');
  return r.error;
}
const pointers = (e: AppError) => e.issues.map((i) => i.pointer);

describe('parseDeploymentRequest', () => {
  it('accepts a JSON request, fills defaults and keeps the manifest as submitted', () => {
    const r = accepted(JSON.stringify(sample()), 'application/json; charset=utf-8');
    assert.equal(r.id, 'temperature-sensor');
    assert.equal(r.spec.priority, 10);
    assert.deepEqual(r.spec.labels, {});
    assert.deepEqual(r.spec.hubSelector, {});
    assert.deepEqual(r.spec.manifest, sample().manifest);
    assert.equal(r.normalized.targetCondition.text, "tags.env='prod'");
  });

  it('accepts an already parsed body and the docs sample', () => {
    accepted(sample());
    const r = accepted(fixtureJson('../../../docs/samples/deployment.json'));
    assert.ok(Object.keys(r.normalized.modulesContent).includes('$edgeAgent'));
  });

  it('ANDs a selector, a raw condition and a Kubernetes nodeSelector', () => {
    const r = accepted({
      ...sample(),
      target: { selector: { site: ['a', 'b'] }, condition: "tags.ring='canary' OR tags.ring='beta'" },
      manifest: { kubernetes: fixtureText('kubernetes/node-selector.yaml') },
    });
    assert.equal(r.normalized.targetCondition.text, "tags.site IN ['a','b'] AND (tags.ring='canary' OR tags.ring='beta') AND tags.env='prod' AND deviceId='gateway-17'");
  });

  it('requires a target unless the Kubernetes manifest selects nodes', () => {
    const { target: _t, ...noTarget } = sample();
    assert.deepEqual(pointers(refused(noTarget)), ['/target']);
    assert.deepEqual(pointers(refused({ ...sample(), target: {} })), ['/target']);
  });

  it('points at a raw condition syntax error with its position', () => {
    const e = refused({ ...sample(), target: { condition: "tags.env='prod' AND" } });
    assert.deepEqual(pointers(e), ['/target/condition']);
    assert.match(e.issues[0]?.detail ?? '', /^at position 19/);
  });

  it('validates id, labels and priority with pointers', () => {
    const e = refused({ ...sample(), id: 'Bad_Id', labels: { managedBy: 'me', ['k'.repeat(129)]: 'v' }, priority: 0 });
    assert.deepEqual(pointers(e).sort(), ['/id', '/labels/managedBy', `/labels/${'k'.repeat(129)}`, '/priority'].sort());
  });

  it('answers malformed JSON with a 400 and other media types with a 415', () => {
    assert.equal(refused('{"id":', 'application/json').status, 400);
    const e = refused('id=x', 'application/x-www-form-urlencoded');
    assert.equal(e.status, 415);
    assert.equal(refused(sample(), '').status, 415);
  });

  it('accepts a deployment request written in YAML', () => {
    const yaml = "id: sensor\ntarget:\n  selector: { env: prod }\nmanifest:\n  modules:\n    sensor: { image: 'busybox:1.36' }\n";
    assert.equal(accepted(yaml, 'application/yaml').id, 'sensor');
  });

  it('accepts a bare Kubernetes Deployment: metadata and edge-fleet.dev annotations give the rest', () => {
    const text = fixtureText('kubernetes/deployment.yaml');
    const r = accepted(text, 'application/yaml');
    assert.equal(r.id, 'opc-gateway');
    assert.deepEqual(r.spec.labels, { team: 'plant-ops' });
    assert.equal(r.spec.priority, 20);
    assert.deepEqual(r.spec.hubSelector, { regions: ['westeurope', 'northeurope'] });
    assert.deepEqual(r.spec.manifest, { kubernetes: text });
    assert.equal(r.normalized.targetCondition.text, "tags.env='prod' AND tags.site='plant-7'");
  });

  it('points into a bare Kubernetes document from its root', () => {
    const e = refused(fixtureText('kubernetes/node-selector.yaml').replace(/nodeSelector:\n(\s+)/, 'nodeSelector:\n$1topology.kubernetes.io/zone: a\n$1'), 'application/yaml');
    assert.deepEqual(pointers(e), ['/spec/nodeSelector/topology.kubernetes.io~1zone']);
    const bad = fixtureText('kubernetes/pod.json').replace('"name": "sensor", "labels"', '"name": "Sensor!", "labels"');
    assert.deepEqual(pointers(refused(bad, 'application/json')), ['/metadata/name']);
  });

  it('takes the id from the URL when the body has none, and refuses a contradicting one', () => {
    const { id: _id, ...noId } = sample();
    const r = parseDeploymentRequest(noId, 'application/json', context, { id: 'from-url' });
    assert.ok(r.ok && r.value.id === 'from-url');
    const clash = parseDeploymentRequest(sample(), 'application/json', context, { id: 'from-url' });
    assert.ok(!clash.ok && clash.error.issues[0]?.pointer === '/id');
    const k8s = parseDeploymentRequest(fixtureText('kubernetes/env.yaml'), 'application/yaml', context, { id: 'from-url' });
    assert.ok(!k8s.ok && k8s.error.issues[0]?.pointer === '/metadata/name');
  });

  it('has a request schema that converts to JSON Schema for the OpenAPI document', () => {
    const doc = z.toJSONSchema(deploymentRequestSchema, { io: 'input' }) as { $defs: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    const schema = doc.$defs.DeploymentRequest;
    if (!schema) assert.fail('DeploymentRequest is a named definition');
    assert.deepEqual(Object.keys(schema.properties).sort(), ['degradedFailedPercent', 'hubSelector', 'id', 'labels', 'manifest', 'metrics', 'priority', 'progressDeadlineSeconds', 'rollout', 'target']);
    assert.deepEqual(schema.required.sort(), ['id', 'manifest']);
  });
});
