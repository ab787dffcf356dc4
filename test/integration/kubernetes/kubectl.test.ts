// The real kubectl binary against the whole local stack, one session: the
// app's Kubernetes surface over HTTPS with a bearer token, the IoT Hub
// simulator's regional hubs as nodes, device health through Event Hubs.
// Nothing is stubbed; where kubectl is not installed the suite says so and skips.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';
import { KUBECTL_MISSING, kubectlFor, kubectlPresent } from '../../helpers/kubectl';
import { waitFor } from '../../helpers/fixtureApp';

describe('kubectl against the local stack', { skip: kubectlPresent ? false : KUBECTL_MISSING }, () => {
  let stack: AppStack;
  const { run: kubectl, ok } = kubectlFor(() => stack.kubeconfig!);
  const reconcile = async () => {
    const res = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.ok(res.status === 200 || res.status === 409, `POST reconcile: ${res.status}`);
  };

  before(async () => {
    stack = await startAppStack({ tls: true, eventHubs: true, iothub: { fleet: 4, seed: 11, agent: { applyDelayMs: { min: 20, max: 200 }, heartbeatMs: 60_000 } } });
    await reconcile(); // hub reachability, as the timer's first pass would record it
  });
  after(async () => stack?.stop());

  it('lists every configured hub as a Ready node labelled with its region', async () => {
    const out = await ok(['get', 'nodes', '--show-labels']);
    for (const hub of stack.iothub.hubs) {
      assert.match(out, new RegExp(`^${hub.name}\\s+Ready\\s+iot-hub\\s.*topology.kubernetes.io/region=${hub.region}`, 'm'));
    }
  });

  it("gives each node the hub's edge devices as capacity (pods) and the connected ones as allocatable", async () => {
    for (const hub of stack.iothub.simulator.hubs) {
      const edge = [...hub.devices.values()].filter((d) => d.iotEdge);
      const connected = edge.filter((d) => d.connectionState === 'Connected');
      const out = await ok(['get', 'node', hub.name, '-o', "jsonpath={.status.capacity.pods} {.status.allocatable.pods} {.status.capacity['edge-fleet\\.dev/configurations']}"]);
      assert.equal(out, `${edge.length} ${connected.length} 100`, `node ${hub.name}`);
    }
  });

  const manifest = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web, team: edge }
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      nodeSelector:
        topology.kubernetes.io/region: westeurope
        env: prod
      containers:
      - name: web
        image: ${image}
        env:
        - { name: MODE, value: edge }
`;
  const prodInWeu = () => [...stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!.devices.values()].filter((d) => (d.twin.tags as { env?: string }).env === 'prod').length;
  const readyCounts = async () => {
    const out = await ok(['get', 'deployments', '--no-headers']);
    const m = /^web\s+(\d+)\/(\d+)\s+(\d+)\s+(\d+)/m.exec(out);
    return m ? { ready: Number(m[1]), replicas: Number(m[2]), upToDate: Number(m[3]), available: Number(m[4]) } : undefined;
  };

  it('applies a Deployment (nodeSelector on region, device tags) without --validate=false; get deployments shows ready counts from health', async () => {
    assert.match(await ok(['apply', '-f', '-'], manifest('contoso.azurecr.io/web:1.0.0')), /deployment.apps\/web created/);
    const devices = prodInWeu();
    assert.ok(devices > 0, 'the seed gives weu some prod devices');
    const hubs = stack.iothub.simulator.hubs.map((h) => [h.name, [...h.configurations.items.keys()].filter((id) => id.startsWith('web-')).length]);
    assert.deepEqual(hubs, [['weu', 1], ['eus', 0], ['sea', 0]], 'only the westeurope hub got the configuration');
    await reconcile();
    const counts = await waitFor(async () => {
      const c = await readyCounts();
      return c && c.ready === devices && c.replicas === devices ? c : undefined;
    }, 60_000, 'every targeted device to run the revision');
    assert.deepEqual(counts, { ready: devices, replicas: devices, upToDate: devices, available: devices });
  });

  /** `kubectl rollout status` to its end, with reconcile passes running beside it as the timer would run them. */
  const rolloutStatus = async () => {
    const watching = kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    let done = false;
    void watching.then(() => (done = true));
    while (!done) {
      await reconcile();
      await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    return watching;
  };

  it('set image makes a new revision; rollout status follows it to completion', async () => {
    assert.match(await ok(['set', 'image', 'deployment/web', 'web=contoso.azurecr.io/web:1.1.0']), /image updated/);
    const run = await rolloutStatus();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /deployment "web" successfully rolled out/);
    const live = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json'])) as { metadata: { generation: number; annotations: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } }; status: { readyReplicas: number } };
    assert.equal(live.metadata.generation, 2);
    assert.equal(live.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.equal(live.spec.template.spec.containers[0]!.image, 'contoso.azurecr.io/web:1.1.0');
    assert.equal(live.status.readyReplicas, prodInWeu());
  });

  it('apply --server-side changes the image; apply of the same file again changes nothing', async () => {
    // `set image` made kubectl-set the image's manager: as with an apiserver, taking it over needs --force-conflicts.
    assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest('contoso.azurecr.io/web:1.2.0')), /deployment.apps\/web serverside-applied/);
    const image = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}']);
    assert.equal(image, 'contoso.azurecr.io/web:1.2.0 3');
    await ok(['apply', '--server-side', '-f', '-'], manifest('contoso.azurecr.io/web:1.2.0'));
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.generation}']), '3', 'the same object again is no new revision');
  });

  it('diff shows what an apply would change, and nothing when the file matches', async () => {
    const changed = await kubectl(['diff', '-f', '-'], manifest('contoso.azurecr.io/web:2.0.0'));
    assert.equal(changed.code, 1, `diff exits 1 when there are differences: ${changed.stderr}`);
    assert.match(changed.stdout, /-\s+image: contoso.azurecr.io\/web:1.2.0/);
    assert.match(changed.stdout, /\+\s+image: contoso.azurecr.io\/web:2.0.0/);
    const generation = await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.generation}']);
    assert.equal(generation, '3', 'diff changed nothing (server-side dry run)');
    const same = await kubectl(['diff', '-f', '-'], manifest('contoso.azurecr.io/web:1.2.0'));
    assert.equal(same.code, 0, `no differences: ${same.stdout}${same.stderr}`);
  });

  it('rollout history lists the revisions as ReplicaSets; rollout undo restores one as a new revision', async () => {
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    assert.match(history, /^3\s/m);
    const revision1 = await ok(['rollout', 'history', 'deployment/web', '--revision=1']);
    assert.match(revision1, /contoso.azurecr.io\/web:1.0.0/);
    assert.match(await ok(['rollout', 'undo', 'deployment/web', '--to-revision=1']), /rolled back/);
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}']), 'contoso.azurecr.io/web:1.0.0 4');
    assert.match(await ok(['rollout', 'undo', 'deployment/web']), /rolled back/);
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}']), 'contoso.azurecr.io/web:1.2.0 5', 'undo without --to-revision goes back one');
    const configurations = stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!.configurations.items;
    assert.ok(configurations.has('web-r5'), 'the weu hub holds the restored revision');
  });

  it('an unsupported field is refused with a 422 naming it', async () => {
    const run = await kubectl(['apply', '-f', '-'], manifest('contoso.azurecr.io/web:1.2.0').replace('      containers:', '      affinity: { nodeAffinity: {} }\n      containers:'));
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /spec\.template\.spec\.affinity/);
  });

  it('a crashing image (crashImage scenario) is not ready in get deployments, and CrashLoopBackOff pods are exactly the failing devices', async () => {
    const weu = [...stack.iothub.simulator.hubs.find((h) => h.name === 'weu')!.devices.values()].filter((d) => (d.twin.tags as { env?: string }).env === 'prod');
    const hw = (weu[0]!.twin.tags as { hw: string }).hw;
    const failing = weu.filter((d) => (d.twin.tags as { hw: string }).hw === hw).map((d) => d.deviceId).sort();
    const scenario = await fetch(`${stack.iothub.adminUrl}/admin/scenarios`, { method: 'POST', body: JSON.stringify({ kind: 'crashImage', image: 'contoso.azurecr.io/crashy:6.6.6', hub: 'weu', selector: `tags.hw = '${hw}'` }) });
    assert.ok(scenario.ok, `scenario: ${scenario.status}`);
    await ok(['apply', '-f', '-'], manifest('contoso.azurecr.io/crashy:6.6.6').replace(/\bweb\b/g, 'crashy'));
    await reconcile();
    const pods = await waitFor(async () => {
      const out = await ok(['get', 'pods', '-l', 'app=crashy', '--chunk-size=1', '--no-headers']);
      const rows = out.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/));
      return rows.length === weu.length && rows.every((r) => r[2] === 'Running' || r[2] === 'CrashLoopBackOff') ? rows : undefined;
    }, 60_000, 'every targeted device to report running or crashing');
    const crashing = pods.filter((r) => r[2] === 'CrashLoopBackOff').map((r) => r[0]!.replace(/^crashy-/, '')).sort();
    assert.deepEqual(crashing, failing.map((id) => id.toLowerCase()));
    assert.ok(pods.every((r) => r[5] === 'weu'), 'every pod is on the weu node');
    assert.ok(pods.filter((r) => r[2] === 'CrashLoopBackOff').every((r) => Number(r[3]) > 0), `a crashing module shows its restarts: ${pods.map((r) => r.join(' ')).join('\n')}`);
    assert.ok(pods.filter((r) => r[2] === 'Running').every((r) => r[3] === '0'), 'a running module has not restarted');
    const out = await ok(['get', 'deployment', 'crashy', '--no-headers']);
    assert.match(out, new RegExp(`^crashy\\s+${weu.length - failing.length}/${weu.length}\\s`, 'm'), out);
    const described = await waitFor(async () => {
      await reconcile();
      const text = await ok(['describe', 'deployment', 'crashy']);
      return /Warning\s+DeviceFailures\s/.test(text) ? text : undefined;
    }, 60_000, 'describe to show the failing devices as a Warning event');
    assert.match(described, /Normal\s+NewRevision\s+\S+\s+edge-fleet-api\s+revision 1 \(created\): replica set crashy-r1/);
    assert.match(described, /Normal\s+HubSynced\s+\S+\s+edge-fleet-controller\s+hub weu holds revision 1/);
    await ok(['delete', 'deployment', 'crashy']);
  });

  it('rollout pause and resume drive a progressive rollout (edge-fleet.dev/rollout)', async () => {
    const rollout = { waves: [{ name: 'first', hubSelector: { names: ['weu'] }, soakSeconds: 3600 }, { name: 'rest', hubSelector: {} }], gate: { maxFailedPercent: 50, minSucceeded: 0 } };
    const staged = manifest('contoso.azurecr.io/staged:1.0.0')
      .replace(/\bweb\b/g, 'staged')
      .replace('        topology.kubernetes.io/region: westeurope\n', '')
      .replace('  labels: { app: staged, team: edge }', `  labels: { app: staged, team: edge }\n  annotations:\n    edge-fleet.dev/rollout: '${JSON.stringify(rollout)}'`);
    await ok(['apply', '-f', '-'], staged);
    await ok(['set', 'image', 'deployment/staged', 'staged=contoso.azurecr.io/staged:1.1.0']);
    const phase = async () => ((await (await stack.api('deployments/staged/status')).json()) as { rollout: { phase: string; revision: number } | null }).rollout;
    assert.equal((await phase())?.revision, 2);
    assert.match(await ok(['rollout', 'pause', 'deployment/staged']), /paused/);
    assert.equal((await phase())?.phase, 'paused');
    assert.equal(await ok(['get', 'deployment', 'staged', '-o', 'jsonpath={.spec.paused}']), 'true');
    const undo = await kubectl(['rollout', 'undo', 'deployment/staged']);
    assert.notEqual(undo.code, 0, 'kubectl refuses to undo a paused deployment');
    assert.match(await ok(['rollout', 'resume', 'deployment/staged']), /resumed/);
    assert.notEqual((await phase())?.phase, 'paused');
    assert.equal(await ok(['get', 'deployment', 'staged', '-o', 'jsonpath={.spec.paused}']), '');
    const events = await ok(['describe', 'deployment', 'staged']);
    assert.match(events, /Normal\s+RolloutStarted\s.*revision 2: wave 'first'/);
    assert.match(events, /Normal\s+RolloutPaused\s/);
    assert.match(events, /Normal\s+RolloutResumed\s/);
    const listed = await ok(['get', 'events', '--field-selector', 'involvedObject.name=staged', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    assert.deepEqual(listed.trim().split('\n').filter((r) => r.startsWith('Rollout')), ['RolloutStarted', 'RolloutPaused', 'RolloutResumed']);
    await ok(['delete', 'deployment', 'staged']);
  });

  it('shows a deployment made from an IoT Edge manifest (the README sample) with its modules, refuses changing it, deletes it', async () => {
    const sample = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'samples', 'deployment.json'), 'utf8');
    const posted = await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample });
    assert.equal(posted.status, 201, await posted.text());
    const shown = await ok(['get', 'deployment', 'temperature-sensor', '-o', 'jsonpath={.spec.template.spec.containers[*].name}={.spec.template.spec.containers[*].image} {.metadata.annotations.edge-fleet\\.dev/managed-by}']);
    assert.equal(shown, 'SimulatedTemperatureSensor=mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5 iotedge-manifest');
    const changed = await kubectl(['set', 'image', 'deployment/temperature-sensor', 'SimulatedTemperatureSensor=mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5.1']);
    assert.notEqual(changed.code, 0, 'a change through the Kubernetes view is refused');
    assert.match(changed.stderr, /made from an IoT Edge manifest.*PUT \/api\/deployments\/temperature-sensor/);
    assert.equal(await ok(['get', 'deployment', 'temperature-sensor', '-o', 'jsonpath={.metadata.generation}']), '1');
    assert.match(await ok(['delete', 'deployment', 'temperature-sensor']), /deleted/);
  });

  it('delete removes the deployment and its configurations from every hub', async () => {
    assert.match(await ok(['delete', 'deployment', 'web']), /deployment.apps "web" deleted/);
    const run = await kubectl(['get', 'deployment', 'web']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /NotFound|not found/);
    await waitFor(async () => {
      await reconcile();
      return stack.iothub.simulator.hubs.every((h) => ![...h.configurations.items.keys()].some((id) => id.startsWith('web-'))) || undefined;
    }, 60_000, 'every hub to drop the configurations of web');
  });

  it('refuses a request without the bearer token', async () => {
    const run = await kubectl(['get', 'nodes', '--token', 'not-the-key']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Unauthorized|must be logged in/);
  });
});
