// What the rollout tests on the whole local stack do over HTTP: call the API
// (an error status fails the test), wait for a deployment's devices to
// settle, and run reconcile passes until its rollout stops moving.
import assert from 'node:assert/strict';
import type { AppStack } from './appStack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Settling {
  readonly devices: { readonly succeeded: number; readonly progressing: number };
  readonly rollout: { readonly phase: string } | null;
}

export function stackRollouts<S extends Settling>(stack: AppStack, deploymentId: string) {
  const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
    const res = await stack.api(path, init);
    assert.ok(res.status < 400, `${init.method ?? 'GET'} ${path}: ${res.status} ${await res.clone().text()}`);
    return res;
  };
  const status = async () => (await (await call(`deployments/${deploymentId}/status`)).json()) as S;
  const reconcile = async () => {
    const res = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    assert.ok(res.status === 200 || res.status === 409, `POST reconcile: ${res.status}`);
  };
  return {
    call,
    status,
    reconcile,
    /** Until some device succeeded and none is still progressing (the current revision is healthy). */
    async untilHealthy(timeoutMs = 60_000): Promise<S> {
      const by = Date.now() + timeoutMs;
      for (let s = await status(); ; s = await status()) {
        if (s.devices.succeeded > 0 && s.devices.progressing === 0) return s;
        assert.ok(Date.now() < by, `revision never became healthy: ${JSON.stringify(s.devices)}`);
        await sleep(500);
      }
    },
    /** Reconcile passes until the rollout is neither applying nor soaking (or the time is up); the last status. */
    async reconcileUntilSettled(timeoutMs = 90_000): Promise<S | undefined> {
      let last: S | undefined;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        await reconcile();
        last = await status();
        if (last.rollout && last.rollout.phase !== 'applying' && last.rollout.phase !== 'soaking') break;
        await sleep(500);
      }
      return last;
    },
  };
}
