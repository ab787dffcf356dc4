// Server-side apply with field ownership, driven by the real kubectl against
// the local stack (the app's Kubernetes surface over HTTPS, Azurite, the IoT
// Hub simulator): what an apiserver answers, kubectl's own messages included.
// Nothing is stubbed; where kubectl is not installed the suite says so and skips.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { KUBECTL_MISSING, kubectlFor, kubectlPresent } from '../../helpers/kubectl';

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
}

interface Live {
  metadata: { generation: number; labels: Record<string, string>; managedFields?: ManagedFieldsEntry[] };
  spec: { template: { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[] } } };
}

describe('server-side apply with field ownership (kubectl --server-side)', { skip: kubectlPresent ? false : KUBECTL_MISSING }, () => {
  let stack: AppStack;
  const { run: kubectl, ok } = kubectlFor(() => stack.kubeconfig!);
  const live = async (name = 'ssa', managed = true) => JSON.parse(await ok(['get', 'deployment', name, '-o', 'json', ...(managed ? ['--show-managed-fields'] : [])])) as Live;

  before(async () => {
    stack = await startAppStack({ tls: true, iothub: { fleet: 2, seed: 5 } });
  });
  after(async () => stack?.stop());

  const manifest = (options: { image?: string; env?: Record<string, string>; labels?: string } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
  labels: { ${options.labels ?? 'app: ssa, tier: front'} }
spec:
  selector:
    matchLabels: { app: ssa }
  template:
    metadata:
      labels: { app: ssa }
    spec:
      nodeSelector: { env: prod }
      containers:
      - name: web
        image: ${options.image ?? 'contoso.azurecr.io/web:1.0.0'}
        env:
${Object.entries(options.env ?? { MODE: 'edge', LOG: 'debug' })
  .map(([name, value]) => `        - { name: ${name}, value: ${value} }`)
  .join('\n')}
`;
  const IMAGE_FIELD = '.spec.template.spec.containers[name="web"].image';

  it('creates the object; managedFields names the applier with operation Apply in the FieldsV1 form', async () => {
    assert.match(await ok(['apply', '--server-side', '-f', '-'], manifest()), /deployment.apps\/ssa serverside-applied/);
    const o = await live();
    assert.deepEqual(o.spec.template.spec.containers[0]!.env, [{ name: 'MODE', value: 'edge' }, { name: 'LOG', value: 'debug' }]);
    const entries = o.metadata.managedFields ?? [];
    assert.deepEqual(entries.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType]), [['kubectl', 'Apply', 'apps/v1', 'FieldsV1']]);
    const container = ((((entries[0]!.fieldsV1['f:spec'] as Record<string, unknown>)['f:template'] as Record<string, unknown>)['f:spec'] as Record<string, unknown>)['f:containers'] as Record<string, Record<string, unknown>>)['k:{"name":"web"}']!;
    assert.deepEqual(Object.keys(container).sort(), ['.', 'f:env', 'f:image', 'f:name']);
    assert.ok('k:{"name":"LOG"}' in (container['f:env'] as Record<string, unknown>));
    assert.match(entries[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await live('ssa', false)).metadata.managedFields, undefined, 'kubectl hides managedFields unless asked');
  });

  it('an env var and a label removed from the file are removed from the object', async () => {
    await ok(['apply', '--server-side', '-f', '-'], manifest({ env: { MODE: 'edge' }, labels: 'app: ssa' }));
    const o = await live();
    assert.deepEqual(o.spec.template.spec.containers[0]!.env, [{ name: 'MODE', value: 'edge' }]);
    assert.deepEqual(o.metadata.labels, { app: 'ssa' });
    assert.equal(o.metadata.generation, 2);
    await ok(['apply', '--server-side', '-f', '-'], manifest({ env: { MODE: 'edge' }, labels: 'app: ssa' }));
    assert.equal((await live()).metadata.generation, 2, 'the same file again is no new revision');
  });

  it('diff --server-side shows what the apply would change and changes nothing', async () => {
    const run = await kubectl(['diff', '--server-side', '-f', '-'], manifest({ env: { MODE: 'cloud' }, labels: 'app: ssa' }));
    assert.equal(run.code, 1, `diff exits 1 when there are differences: ${run.stderr}`);
    assert.match(run.stdout, /-\s+value: edge/);
    assert.match(run.stdout, /\+\s+value: cloud/);
    assert.equal((await live()).metadata.generation, 2);
  });

  it('a second manager changing the image conflicts, naming the field and the manager', async () => {
    const run = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], manifest({ image: 'contoso.azurecr.io/web:2.0.0', env: { MODE: 'edge' }, labels: 'app: ssa' }));
    assert.notEqual(run.code, 0, 'the conflict fails the apply');
    assert.ok(run.stderr.includes(`Apply failed with 1 conflict: conflict with "kubectl": ${IMAGE_FIELD}`), run.stderr);
    assert.equal((await live()).spec.template.spec.containers[0]!.image, 'contoso.azurecr.io/web:1.0.0', 'nothing changed');
  });

  it('--force-conflicts wins: the image changes and both managers show in --show-managed-fields', async () => {
    await ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], manifest({ image: 'contoso.azurecr.io/web:2.0.0', env: { MODE: 'edge' }, labels: 'app: ssa' }));
    const yaml = await ok(['get', 'deploy', 'ssa', '-o', 'yaml', '--show-managed-fields']);
    assert.match(yaml, /manager: kubectl\n/);
    assert.match(yaml, /manager: other\n/);
    const o = await live();
    assert.equal(o.spec.template.spec.containers[0]!.image, 'contoso.azurecr.io/web:2.0.0');
    const kubectlEntry = JSON.stringify(o.metadata.managedFields!.find((e) => e.manager === 'kubectl')!.fieldsV1);
    assert.ok(!kubectlEntry.includes('"f:image"'), `kubectl lost the image: ${kubectlEntry}`);
    assert.ok(kubectlEntry.includes('"f:env"'), 'and keeps the rest');
  });

  it('kubectl set image after an apply, then a plain re-apply: the conflict is with "kubectl-set" using apps/v1', async () => {
    await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest({ env: { MODE: 'edge' }, labels: 'app: ssa' }));
    assert.match(await ok(['set', 'image', 'deployment/ssa', 'web=contoso.azurecr.io/web:3.0.0']), /image updated/);
    const managers = (await live()).metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`);
    assert.ok(managers.includes('kubectl-set/Update'), managers.join(', '));
    const run = await kubectl(['apply', '--server-side', '-f', '-'], manifest({ env: { MODE: 'edge' }, labels: 'app: ssa' }));
    assert.notEqual(run.code, 0);
    assert.ok(run.stderr.includes(`Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: ${IMAGE_FIELD}`), run.stderr);
    assert.match(run.stderr, /Please review the fields above--they currently have other managers/, 'kubectl recognised the apiserver conflict');
  });

  it('apply without a field manager is refused as the apiserver refuses it (422 naming fieldManager)', async () => {
    const res = await stack.api('k8s/apis/apps/v1/namespaces/default/deployments/ssa', {
      method: 'PATCH',
      headers: { authorization: `Bearer ${stack.keys.functionKey}`, 'content-type': 'application/apply-patch+yaml' },
      body: manifest(),
    });
    assert.equal(res.status, 422);
    const status = (await res.json()) as { reason: string; details: { causes: { field: string }[] } };
    assert.equal(status.reason, 'Invalid');
    assert.deepEqual(status.details.causes.map((c) => c.field), ['fieldManager']);
  });

  it('client-side apply, its upgrade to server-side apply, replace and delete work beside it', async () => {
    assert.match(await ok(['apply', '-f', '-'], manifest({ image: 'contoso.azurecr.io/web:3.0.0', env: { MODE: 'edge' }, labels: 'app: ssa' }).replace('name: ssa', 'name: csa')), /deployment.apps\/csa created/);
    assert.deepEqual((await live('csa')).metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`), ['kubectl-client-side-apply/Update']);
    assert.match(await ok(['apply', '-f', '-'], manifest({ image: 'contoso.azurecr.io/web:3.1.0', env: { MODE: 'edge' }, labels: 'app: ssa' }).replace('name: ssa', 'name: csa')), /configured/);
    assert.equal((await live('csa')).spec.template.spec.containers[0]!.image, 'contoso.azurecr.io/web:3.1.0');
    // kubectl takes a client-side applied object over (kubectl-last-applied, then a JSON patch of managedFields, then the apply).
    await ok(['apply', '--server-side', '-f', '-'], manifest({ image: 'contoso.azurecr.io/web:3.1.0', env: { MODE: 'edge' }, labels: 'app: ssa' }).replace('name: ssa', 'name: csa'));
    const upgraded = await live('csa');
    assert.equal(upgraded.metadata.generation, 2, 'the same content applied server-side is no new revision (the pruned default replicas renders the same)');
    assert.deepEqual(upgraded.metadata.managedFields!.map((e) => `${e.manager}/${e.operation}`).sort(), ['kubectl-last-applied/Apply', 'kubectl/Apply']);
    const replaced = JSON.stringify({ ...(await live('csa')), status: undefined }).replace('"MODE","value":"edge"', '"MODE","value":"cloud"');
    await ok(['replace', '-f', '-'], replaced);
    const managers = (await live('csa')).metadata.managedFields!.map((e) => e.manager);
    assert.ok(managers.includes('kubectl-replace'), managers.join(', '));
    await ok(['delete', 'deployment', 'csa', 'ssa']);
  });
});
