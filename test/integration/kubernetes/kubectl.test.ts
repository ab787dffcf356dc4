// The real kubectl binary against the whole local stack, one session: the
// app's Kubernetes surface over HTTPS with a bearer token, the IoT Hub
// simulator's regional hubs as nodes, device health through Event Hubs.
// Nothing is stubbed; where kubectl is not installed the suite says so and skips.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const kubectlPresent = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('kubectl against the local stack', { skip: kubectlPresent ? false : 'kubectl is not installed (apt-get install kubectl, or see https://kubernetes.io/docs/tasks/tools/)' }, () => {
  let stack: AppStack;
  const kubectl = (args: string[], input?: string) =>
    new Promise<Run>((resolve) => {
      const child = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: stack.kubeconfig! }, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  const ok = async (args: string[], input?: string) => {
    const run = await kubectl(args, input);
    assert.equal(run.code, 0, `kubectl ${args.join(' ')} failed (${run.code}):\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };
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

  it('refuses a request without the bearer token', async () => {
    const run = await kubectl(['get', 'nodes', '--token', 'not-the-key']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Unauthorized|must be logged in/);
  });
});
