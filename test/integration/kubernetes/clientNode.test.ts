// The kubectl session of kubectl.test.ts again, through the official
// JavaScript client (@kubernetes/client-node, unmodified) and its typed APIs,
// against the same whole local stack: HTTPS with the bearer token of the
// kubeconfig the stack writes, the simulator's hubs as nodes, health through
// Event Hubs. Where the client needs something of the server, the server
// gives it as an apiserver would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
// The client is ESM-only ("type": "module") and this file compiles to
// CommonJS (module node16). Its types come in with `resolution-mode: import`
// (type-only, erased from the output); the code comes in through the dynamic
// import() in `before`, which node16 keeps as a real import() rather than
// turning it into require().
import type * as Client from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ApiException, AppsV1Api, CoreV1Api, Informer, KubeConfig, KubernetesObjectApi, ObjectCache, V1Deployment, V1Status, Watch } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { waitFor } from '../../helpers/fixtureApp';

const namespace = 'default';
const FIELD_MANAGER = 'clientnode-test';

describe('@kubernetes/client-node against the local stack', () => {
  let stack: AppStack;
  let k8s: typeof Client;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let objects: KubernetesObjectApi;
  let watch: Watch;
  let kc: KubeConfig;
  /** The client's informer (list, then watch, and watch again) on deployments, from before web is created. */
  let informer: (Informer<V1Deployment> & ObjectCache<V1Deployment>) | undefined;
  const informerErrors: unknown[] = [];

  const reconcile = async () => {
    const res = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.ok(res.status === 200 || res.status === 409, `POST reconcile: ${res.status}`);
  };
  /**
   * The ApiException a call fails with (the client's error for any non-2xx
   * answer): its code, and the Status the body holds (the generated client
   * keeps the body as text; for a 401 it keeps none).
   */
  const refusal = async (call: Promise<unknown>): Promise<{ code: number; status: V1Status | undefined }> => {
    const error = await call.then(
      () => assert.fail('the call succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof k8s.ApiException, `an ApiException, not ${String(error)}`);
    const { code, body } = error as ApiException<string | undefined>;
    return { code, status: typeof body === 'string' ? (JSON.parse(body) as V1Status) : undefined };
  };
  const strategicMerge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  const mergePatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  before(async () => {
    stack = await startAppStack({ tls: true, eventHubs: true, iothub: { fleet: 4, seed: 11, agent: { applyDelayMs: { min: 20, max: 200 }, heartbeatMs: 60_000 } } });
    k8s = await import('@kubernetes/client-node');
    kc = new k8s.KubeConfig();
    kc.loadFromFile(stack.kubeconfig!);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    watch = new k8s.Watch(kc);
    await reconcile(); // hub reachability, as the timer's first pass would record it
  });
  after(async () => {
    await informer?.stop();
    await stack?.stop();
  });

  const deployment = (name: string, image: string, nodeSelector: Record<string, string> = { 'topology.kubernetes.io/region': 'westeurope', env: 'prod' }): V1Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, team: 'edge' } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector, containers: [{ name, image, env: [{ name: 'MODE', value: 'edge' }] }] },
      },
    },
  });
  const imageOf = (d: V1Deployment) => d.spec?.template.spec?.containers[0]?.image;
  const prodInWeu = () => [...stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!.devices.values()].filter((d) => (d.twin.tags as { env?: string }).env === 'prod').length;
  const configurationsOf = (prefix: string) => stack.iothub.simulator.hubs.map((h) => [h.name, [...h.configurations.items.keys()].filter((id) => id.startsWith(`${prefix}-`)).length]);
  const read = (name: string) => apps.readNamespacedDeployment({ name, namespace });

  it('lists every configured hub as a Ready node labelled with its region', async () => {
    const list = await core.listNode();
    for (const hub of stack.iothub.hubs) {
      const node = list.items.find((n) => n.metadata?.name === hub.name);
      assert.ok(node, `node ${hub.name}`);
      assert.equal(node.metadata?.labels?.['topology.kubernetes.io/region'], hub.region);
      assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    }
  });

  it('creates a Deployment (nodeSelector on region and a device tag) and reads it back', async () => {
    informer = k8s.makeInformer(kc, `/apis/apps/v1/namespaces/${namespace}/deployments`, () => apps.listNamespacedDeployment({ namespace }));
    informer.on('error', (error) => informerErrors.push(error));
    await informer.start();
    const created = await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'contoso.azurecr.io/web:1.0.0') });
    assert.equal(created.metadata?.name, 'web');
    assert.equal(created.metadata?.generation, 1);
    const live = await read('web');
    assert.equal(imageOf(live), 'contoso.azurecr.io/web:1.0.0');
    assert.deepEqual(live.spec?.template.spec?.nodeSelector, { 'topology.kubernetes.io/region': 'westeurope', env: 'prod' });
    assert.ok(live.metadata?.creationTimestamp instanceof Date, 'the client parses creationTimestamp as a date');
    assert.deepEqual(configurationsOf('web'), [['weu', 1], ['eus', 0], ['sea', 0]], 'only the westeurope hub got the configuration');
    await waitFor(() => informer!.get('web', namespace), 30_000, 'the informer to see web');
  });

  it('readyReplicas reaches the targeted devices from health; listNamespacedPod shows them on their hub', async () => {
    const devices = prodInWeu();
    assert.ok(devices > 0, 'the seed gives weu some prod devices');
    await reconcile();
    const status = await waitFor(async () => {
      const s = (await read('web')).status;
      return s?.readyReplicas === devices && s.replicas === devices ? s : undefined;
    }, 60_000, 'every targeted device to run the revision');
    assert.equal(status.availableReplicas, devices);
    assert.equal(status.updatedReplicas, devices);
    // An informer keeps an object only when its resourceVersion changed (cache.ts, isSameVersion):
    // status changes must change it, as every write does in Kubernetes.
    await waitFor(() => informer!.get('web', namespace)?.status?.readyReplicas === devices || undefined, 60_000, "the informer's cache to see every device ready");
    assert.deepEqual(informerErrors, []);
    await informer!.stop();
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    assert.equal(pods.items.length, devices);
    for (const pod of pods.items) {
      assert.equal(pod.spec?.nodeName, 'weu');
      assert.equal(pod.status?.phase, 'Running');
    }
  });

  it('lists by labelSelector, and pages with limit and continue', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('api', 'contoso.azurecr.io/api:1.0.0', { 'topology.kubernetes.io/region': 'westeurope', env: 'staging' }) });
    const byLabel = await apps.listNamespacedDeployment({ namespace, labelSelector: 'app=web' });
    assert.deepEqual(byLabel.items.map((d) => d.metadata?.name), ['web']);
    const first = await apps.listNamespacedDeployment({ namespace, labelSelector: 'team=edge', limit: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.metadata?._continue, 'a full first page has a continue token');
    const names = first.items.map((d) => d.metadata?.name);
    for (let token: string | undefined = first.metadata._continue; token; ) {
      const page = await apps.listNamespacedDeployment({ namespace, labelSelector: 'team=edge', limit: 1, _continue: token });
      assert.ok(page.items.length <= 1);
      names.push(...page.items.map((d) => d.metadata?.name));
      token = page.metadata?._continue;
    }
    assert.deepEqual(names.sort(), ['api', 'web']);
    await apps.deleteNamespacedDeployment({ name: 'api', namespace });
  });

  /**
   * kubectl's rollout status test for a Deployment (DeploymentStatusViewer,
   * https://github.com/kubernetes/kubectl/blob/master/pkg/polymorphichelpers/rollout_status.go).
   */
  const rolledOut = (d: V1Deployment) => {
    const s = d.status ?? {};
    if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
    if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) throw new Error(`deployment ${d.metadata?.name} exceeded its progress deadline`);
    const updated = s.updatedReplicas ?? 0;
    return updated >= (d.spec?.replicas ?? 1) && (s.replicas ?? 0) <= updated && (s.availableReplicas ?? 0) >= updated;
  };

  const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  const deploymentsPath = `/apis/apps/v1/namespaces/${namespace}/deployments`;

  /**
   * One watch with the client's `Watch`, until the server ends it or an
   * event satisfies `until` (then the client aborts it). Resolves with that
   * event's object, if any, and every event seen.
   */
  const watchOnce = (query: Record<string, string | number | boolean>, until: (d: V1Deployment) => boolean) =>
    new Promise<{ match: V1Deployment | undefined; events: { type: string; object: V1Deployment }[] }>((resolve, reject) => {
      const events: { type: string; object: V1Deployment }[] = [];
      let match: V1Deployment | undefined;
      let controller: AbortController | undefined;
      const onEvent = (type: string, object: V1Deployment) => {
        events.push({ type, object });
        try {
          if (type !== 'ERROR' && !match && until(object)) {
            match = object;
            controller?.abort();
          }
        } catch (error) {
          controller?.abort();
          reject(asError(error));
        }
      };
      // Called once: when the server ends the watch (error null), or the abort above ends it.
      const onDone = (error: unknown) => (match || !error ? resolve({ match, events }) : reject(asError(error)));
      watch.watch(deploymentsPath, query, onEvent, onDone).then((c) => {
        controller = c;
        if (match) c.abort();
      }, reject);
    });

  /**
   * Follows one deployment with `Watch` until its rollout completes. The
   * first watch has no resourceVersion, so it starts with the object's
   * current state ("Get State and Start at Most Recent",
   * https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-watch);
   * whenever the server ends a watch, the next starts from the last
   * resourceVersion seen, as client-go's reflector does, however long the
   * server holds a watch. Reconcile passes run beside it, as the timer would run them.
   */
  const followRollout = async (name: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let finished = false;
    const passes = (async () => {
      while (!finished) {
        await reconcile();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    try {
      let watches = 0;
      let resourceVersion: string | undefined;
      while (Date.now() < deadline) {
        watches++;
        const { match, events } = await watchOnce({ fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) }, rolledOut);
        if (match) return match;
        resourceVersion = events.at(-1)?.object.metadata?.resourceVersion ?? resourceVersion;
      }
      throw new Error(`deployment ${name} did not roll out in ${timeoutMs} ms (${watches} watches)`);
    } finally {
      finished = true;
      await passes;
    }
  };

  it('a strategic-merge patch of the image makes a new revision; Watch follows it to completion', async () => {
    const patched = await apps.patchNamespacedDeployment({ name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'contoso.azurecr.io/web:1.1.0' }] } } } } }, strategicMerge());
    assert.equal(patched.metadata?.generation, 2);
    assert.equal(patched.spec?.template.spec?.containers[0]?.env?.[0]?.value, 'edge', 'the containers list merged by name, env kept');
    const done = await followRollout('web', 90_000);
    assert.equal(imageOf(done), 'contoso.azurecr.io/web:1.1.0');
    assert.equal(done.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(done.status?.readyReplicas, prodInWeu());
  });

  it('a watch the server ends (timeoutSeconds) starts with the current state and calls done, so the client watches again', async () => {
    const { match, events } = await watchOnce({ fieldSelector: 'metadata.name=web', timeoutSeconds: 1 }, () => false);
    assert.equal(match, undefined);
    const first = events[0];
    assert.ok(first && (first.type === 'ADDED' || first.type === 'MODIFIED'), JSON.stringify(events.map((e) => e.type)));
    assert.equal(first.object.metadata?.name, 'web');
    assert.equal(imageOf(first.object), 'contoso.azurecr.io/web:1.1.0');
    assert.ok(events.every((e) => e.object.metadata?.name === 'web'), 'the fieldSelector holds on a watch');
  });

  it('a replace with a stale resourceVersion is a 409 Conflict the client surfaces as an ApiException with a Status body', async () => {
    const live = await read('web');
    const stale: V1Deployment = { ...live, metadata: { ...live.metadata, resourceVersion: '1' }, spec: { ...live.spec!, template: { ...live.spec!.template, spec: { ...live.spec!.template.spec!, containers: [{ name: 'web', image: 'contoso.azurecr.io/web:9.9.9' }] } } } };
    const { code, status } = await refusal(apps.replaceNamespacedDeployment({ name: 'web', namespace, body: stale }));
    assert.equal(code, 409);
    assert.equal(status?.kind, 'Status');
    assert.equal(status?.reason, 'Conflict');
    assert.equal(status?.details?.name, 'web');
    assert.equal(imageOf(await read('web')), 'contoso.azurecr.io/web:1.1.0', 'nothing was stored');
  });

  it('server-side apply (fieldManager, force) changes the image; applying the same object again changes nothing', async () => {
    const applied = await objects.patch<V1Deployment>(deployment('web', 'contoso.azurecr.io/web:1.2.0'), undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    assert.equal(imageOf(applied), 'contoso.azurecr.io/web:1.2.0');
    assert.equal(applied.metadata?.generation, 3);
    const again = await objects.patch<V1Deployment>(deployment('web', 'contoso.azurecr.io/web:1.2.0'), undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    assert.equal(again.metadata?.generation, 3, 'the same object again is no new revision');
  });

  it('dryRun=All answers with the result and stores nothing', async () => {
    const planned = await objects.patch<V1Deployment>(deployment('web', 'contoso.azurecr.io/web:2.0.0'), undefined, 'All', FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    assert.equal(imageOf(planned), 'contoso.azurecr.io/web:2.0.0');
    const live = await read('web');
    assert.equal(imageOf(live), 'contoso.azurecr.io/web:1.2.0');
    assert.equal(live.metadata?.generation, 3);
    const created = await apps.createNamespacedDeployment({ namespace, body: deployment('dry', 'contoso.azurecr.io/dry:1.0.0'), dryRun: 'All' });
    assert.equal(created.metadata?.name, 'dry');
    assert.equal((await refusal(read('dry'))).code, 404, 'a dry-run create stores nothing');
  });

  it('rollout undo as client code does it: the older ReplicaSet template put back is a new revision', async () => {
    const live = await read('web');
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' })).items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === live.metadata?.uid));
    assert.deepEqual(replicaSets.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort(), ['1', '2', '3']);
    const first = replicaSets.find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    const template = structuredClone(first.spec!.template!);
    delete template.metadata?.labels?.['pod-template-hash']; // kubectl drops it too (rollback.go, DeploymentRollbacker)
    assert.equal(template.spec?.containers[0]?.image, 'contoso.azurecr.io/web:1.0.0');
    const undone = await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: { ...live, spec: { ...live.spec!, template } } });
    assert.equal(imageOf(undone), 'contoso.azurecr.io/web:1.0.0');
    assert.equal(undone.metadata?.generation, 4);
    assert.ok(stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!.configurations.items.has('web-r4'), 'the weu hub holds the restored revision');
  });

  it('an unsupported field is a 422 whose Status names the field', async () => {
    const body = deployment('web', 'contoso.azurecr.io/web:1.0.0');
    body.spec!.template.spec!.affinity = { nodeAffinity: {} };
    const { code, status } = await refusal(apps.replaceNamespacedDeployment({ name: 'web', namespace, body }));
    assert.equal(code, 422);
    assert.equal(status?.reason, 'Invalid');
    assert.ok(status?.details?.causes?.some((c) => c.field === 'spec.template.spec.affinity'), JSON.stringify(status));
  });

  it('pause and resume drive a progressive rollout (edge-fleet.dev/rollout, spec.paused)', async () => {
    const rollout = { waves: [{ name: 'first', hubSelector: { names: ['weu'] }, soakSeconds: 3600 }, { name: 'rest', hubSelector: {} }], gate: { maxFailedPercent: 50, minSucceeded: 0 } };
    const body = deployment('staged', 'contoso.azurecr.io/staged:1.0.0', { env: 'prod' });
    body.metadata!.annotations = { 'edge-fleet.dev/rollout': JSON.stringify(rollout) };
    await apps.createNamespacedDeployment({ namespace, body });
    await apps.patchNamespacedDeployment({ name: 'staged', namespace, body: { spec: { template: { spec: { containers: [{ name: 'staged', image: 'contoso.azurecr.io/staged:1.1.0' }] } } } } }, strategicMerge());
    const phase = async () => ((await (await stack.api('deployments/staged/status')).json()) as { rollout: { phase: string; revision: number } | null }).rollout;
    assert.equal((await phase())?.revision, 2);
    const paused = await apps.patchNamespacedDeployment({ name: 'staged', namespace, body: { spec: { paused: true } } }, mergePatch());
    assert.equal(paused.spec?.paused, true);
    assert.equal((await phase())?.phase, 'paused');
    const resumed = await apps.patchNamespacedDeployment({ name: 'staged', namespace, body: { spec: { paused: null } } }, mergePatch());
    assert.equal(resumed.spec?.paused, undefined);
    assert.notEqual((await phase())?.phase, 'paused');
    await apps.deleteNamespacedDeployment({ name: 'staged', namespace });
  });

  it('delete removes the deployment and its configurations from every hub', async () => {
    const status = await apps.deleteNamespacedDeployment({ name: 'web', namespace });
    assert.equal(status.status, 'Success');
    const { code, status: notFound } = await refusal(read('web'));
    assert.equal(code, 404);
    assert.equal(notFound?.reason, 'NotFound');
    await waitFor(async () => {
      await reconcile();
      return configurationsOf('web').every(([, n]) => n === 0) || undefined;
    }, 60_000, 'every hub to drop the configurations of web');
    assert.deepEqual(configurationsOf('api'), [['weu', 0], ['eus', 0], ['sea', 0]], 'api is gone from every hub too');
  });

  it('refuses a client whose token is not the key with a 401', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(stack.kubeconfig!);
    kc.users = kc.users.map((u) => ({ ...u, token: 'not-the-key' }));
    const { code } = await refusal(kc.makeApiClient(k8s.CoreV1Api).listNode());
    assert.equal(code, 401);
  });
});
