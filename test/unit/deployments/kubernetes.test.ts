import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type NormalizedManifest, normalizeManifest } from '../../../shared/domain/deployments/normalize';
import { kubernetesRequest } from '../../../shared/domain/deployments/parseDeploymentRequest';
import type { FieldIssue } from '../../../shared/errors';
import { fixtureJson, fixtureText } from './fixtures';

const context = { registryCredentialNames: ['acr-prod', 'ghcr'] };

function translated(name: string): NormalizedManifest {
  const r = normalizeManifest({ kubernetes: fixtureText(`kubernetes/${name}`) }, context);
  if (!r.ok) assert.fail(`${r.error.message} ${JSON.stringify(r.error.issues)}`);
  return r.value;
}
type Module = { status: string; restartPolicy: string; imagePullPolicy?: string; env?: Record<string, { value: unknown }>; settings: Record<string, string> };
function module(n: NormalizedManifest, name: string): Module {
  const m = (n.modulesContent.$edgeAgent?.['properties.desired'].modules as Record<string, Module>)[name];
  if (!m) assert.fail(`no module ${name}`);
  return m;
}
const createOptions = (m: Module): Record<string, unknown> => JSON.parse(m.settings.createOptions ?? '{}') as Record<string, unknown>;
function refused(name: string): FieldIssue[] {
  const r = normalizeManifest({ kubernetes: fixtureText(`kubernetes/unsupported/${name}`) }, context);
  if (r.ok) assert.fail(`accepted ${name}`);
  assert.equal(r.error.status, 400);
  return [...r.error.issues];
}

describe('Kubernetes translation, field by field', () => {
  it('makes one module per container from a Pod given as JSON, env values literal (unset value = empty)', () => {
    const r = normalizeManifest({ kubernetes: fixtureJson('kubernetes/pod.json') as Record<string, unknown> }, context);
    if (!r.ok) assert.fail(r.error.message);
    const m = module(r.value, 'sensor');
    assert.equal(m.settings.image, 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5');
    assert.deepEqual(m.env, { EMPTY: { value: '' }, MessageCount: { value: '500' } });
    assert.equal(m.settings.createOptions, '{}');
  });
  it('env: name/value pairs become the module env', () => {
    assert.deepEqual(module(translated('env.yaml'), 'app').env, { COUNT: { value: '3' }, EMPTY: { value: '' }, MODE: { value: 'fast' } });
  });
  it('ports: hostPort becomes a PortBinding, every containerPort is exposed', () => {
    assert.deepEqual(createOptions(module(translated('ports.yaml'), 'web')), {
      ExposedPorts: { '5683/udp': {}, '80/tcp': {}, '9090/tcp': {} },
      HostConfig: { PortBindings: { '5683/udp': [{ HostIp: '127.0.0.1', HostPort: '5683' }], '80/tcp': [{ HostPort: '8080' }] } },
    });
  });
  it('resources: limits become Memory/NanoCpus, requests MemoryReservation/CpuShares', () => {
    assert.deepEqual(createOptions(module(translated('resources.yaml'), 'app')), {
      HostConfig: { CpuShares: 256, Memory: 512 * 2 ** 20, MemoryReservation: 128e6, NanoCpus: 1.5e9 },
    });
  });
  it('command/args/workingDir become Entrypoint/Cmd/WorkingDir', () => {
    assert.deepEqual(createOptions(module(translated('command-args.yaml'), 'app')), {
      Cmd: ['--interval', '5'],
      Entrypoint: ['python', '-m', 'collector'],
      WorkingDir: '/srv',
    });
  });
  it('hostPath volumes become Binds, readOnly adds :ro', () => {
    assert.deepEqual(createOptions(module(translated('host-path.yaml'), 'app')), {
      HostConfig: { Binds: ['/var/lib/collector:/data', '/etc/ssl/certs:/etc/ssl/certs:ro'] },
    });
  });
  it('securityContext: privileged, user, read-only root and capabilities', () => {
    assert.deepEqual(createOptions(module(translated('security-context.yaml'), 'modbus')), {
      HostConfig: { CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'], Privileged: true, ReadonlyRootfs: true },
      User: '1000:1000',
    });
  });
  it('restartPolicy: OnFailure becomes on-failure (Always -> always, Never -> never)', () => {
    assert.equal(module(translated('restart-policy.yaml'), 'batch').restartPolicy, 'on-failure');
    assert.equal(module(translated('env.yaml'), 'app').restartPolicy, 'always');
  });
  it('an exec livenessProbe becomes a Docker healthcheck and OnFailure becomes on-unhealthy', () => {
    const m = module(translated('liveness-probe.yaml'), 'app');
    assert.equal(m.restartPolicy, 'on-unhealthy');
    assert.deepEqual(createOptions(m), {
      Healthcheck: { Interval: 15e9, Retries: 4, StartPeriod: 5e9, Test: ['CMD', 'cat', '/tmp/healthy'], Timeout: 1e9 },
    });
  });
  it('nodeSelector becomes a target condition; kubernetes.io/hostname names the device', () => {
    assert.equal(translated('node-selector.yaml').condition?.text, "tags.env='prod' AND deviceId='gateway-17'");
  });
  it('a nodeSelector on a hub node label (region, hub name) picks hubs; the other keys still pick devices', () => {
    const doc = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'edge-fleet.dev/hub-regions': 'westeurope,eastus' } },
      spec: { template: { spec: { nodeSelector: { 'topology.kubernetes.io/region': 'westeurope', 'hub.edge-fleet.dev/geo': 'eu', env: 'prod' }, containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    };
    const r = kubernetesRequest(doc, context);
    if (!r.ok) assert.fail(JSON.stringify(r.error.issues));
    assert.deepEqual(r.value.spec.hubSelector, { regions: ['westeurope'], labels: { geo: 'eu' } });
    assert.equal(r.value.normalized.targetCondition.text, "tags.env='prod'");
  });
  it('imagePullSecrets name registry credentials from settings; imagePullPolicy Always pulls on create', () => {
    const n = translated('image-pull-secrets.yaml');
    assert.deepEqual(n.registryCredentials, ['acr-prod', 'ghcr']);
    assert.equal(module(n, 'app').imagePullPolicy, 'on-create');
  });
  it('replicas: 0 deploys the modules stopped', () => {
    assert.equal(module(translated('replicas-zero.yaml'), 'app').status, 'stopped');
  });
  it('hostNetwork, terminationGracePeriodSeconds and imagePullPolicy Never', () => {
    const m = module(translated('host-network.yaml'), 'app');
    assert.equal(m.imagePullPolicy, 'never');
    assert.deepEqual(createOptions(m), { HostConfig: { NetworkMode: 'host' }, StopTimeout: 30 });
  });
  it('translates a whole apps/v1 Deployment in YAML', () => {
    const n = translated('deployment.yaml');
    assert.equal(n.condition?.text, "tags.site='plant-7'");
    assert.deepEqual(n.registryCredentials, ['acr-prod']);
    const m = module(n, 'publisher');
    assert.equal(m.settings.image, 'myacr.azurecr.io/iotedge/opc-publisher:2.9.4');
    assert.deepEqual(createOptions(m), {
      Cmd: ['--pf=/appdata/pn.json', '--aa'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { Binds: ['/etc/opc:/appdata:ro'], Memory: 268435456, NanoCpus: 5e8, PortBindings: { '8080/tcp': [{ HostPort: '8080' }] } },
    });
  });
  it('gives the same content for the same document, in YAML or JSON', () => {
    const a = normalizeManifest({ kubernetes: fixtureText('kubernetes/pod.json') }, context);
    const b = normalizeManifest({ kubernetes: fixtureJson('kubernetes/pod.json') as Record<string, unknown> }, context);
    assert.ok(a.ok && b.ok);
    assert.equal(JSON.stringify(a.value.modulesContent), JSON.stringify(b.value.modulesContent));
  });
});

describe('Kubernetes fields IoT Edge cannot express are dropped with a warning naming the field', () => {
  const dropped: [string, string, RegExp][] = [
    ['env-value-from.yaml', '/manifest/kubernetes/spec/template/spec/containers/0/env/2', /secrets, config maps/],
    ['config-map-volume.yaml', '/manifest/kubernetes/spec/volumes/0', /hostPath/],
    ['init-containers.yaml', '/manifest/kubernetes/spec/initContainers', /no init modules/],
    ['http-probe.yaml', '/manifest/kubernetes/spec/containers/0/livenessProbe', /only exec probes/],
    ['replicas.yaml', '/manifest/kubernetes/spec/replicas', /one instance of every module/],
    ['gpu-resource.yaml', '/manifest/kubernetes/spec/containers/0/resources/limits/nvidia.com~1gpu', /only cpu and memory/],
  ];
  for (const [file, pointer, why] of dropped) {
    it(`${file}: ${pointer}`, () => {
      const n = translated(`unsupported/${file}`);
      const warning = n.warnings.find((w) => w.pointer === pointer);
      assert.ok(warning, `no warning at ${pointer}: ${JSON.stringify(n.warnings)}`);
      assert.equal(warning.code, 'dropped_field');
      assert.match(warning.detail, why);
    });
  }
  it('skips documents that are not the workload, one warning each, and ignores a trailing ---', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n---\n${fixtureText('kubernetes/pod.json')}\n---\n`;
    const n = normalizeManifest({ kubernetes: text }, context);
    if (!n.ok) assert.fail(JSON.stringify(n.error.issues));
    assert.deepEqual(n.value.warnings.filter((w) => w.code === 'skipped_document').map((w) => w.pointer), ['/manifest/kubernetes/0']);
    assert.match(n.value.warnings[0]?.detail ?? '', /Service 'web'/);
  });
});

describe('Kubernetes input refused with a pointer', () => {
  const cases: [string, string, RegExp][] = [
    ['node-selector-prefixed.yaml', '/manifest/kubernetes/spec/nodeSelector/topology.kubernetes.io~1zone', /not a device tag name/],
    ['service.yaml', '/manifest/kubernetes/kind', /Pod \(v1\) or Deployment/],
    ['two-documents.yaml', '/manifest/kubernetes/1', /second workload/],
  ];
  for (const [file, pointer, why] of cases) {
    it(`${file}: ${pointer}`, () => {
      const issues = refused(file);
      assert.deepEqual(issues.map((i) => i.pointer), [pointer]);
      assert.match(issues[0]?.detail ?? '', why);
    });
  }
  it('reports a YAML syntax error with line and column', () => {
    const r = normalizeManifest({ kubernetes: 'apiVersion: v1\nkind: Pod\nspec: [unclosed' }, context);
    if (r.ok) assert.fail('accepted');
    assert.match(r.error.issues[0]?.detail ?? '', /line \d+ column \d+/);
  });
  it('refuses an imagePullSecret that settings do not have, pointing at its name', () => {
    const r = normalizeManifest({ kubernetes: fixtureText('kubernetes/image-pull-secrets.yaml') }, { registryCredentialNames: ['acr-prod'] });
    if (r.ok) assert.fail('accepted');
    assert.deepEqual(r.error.issues.map((i) => i.pointer), ['/manifest/kubernetes/spec/imagePullSecrets/1/name']);
  });
});
