// The real kubectl binary for integration tests: whether it is installed (the
// suites skip, saying so, where it is not) and a runner bound to a kubeconfig.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';

export const kubectlPresent = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
export const KUBECTL_MISSING = 'kubectl is not installed (apt-get install kubectl, or see https://kubernetes.io/docs/tasks/tools/)';

export interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `run` answers whatever kubectl exits with; `ok` asserts exit 0 and answers stdout. The kubeconfig is read when each command starts. */
export function kubectlFor(kubeconfig: () => string) {
  const run = (args: string[], input?: string) =>
    new Promise<KubectlRun>((resolve) => {
      const child = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig() }, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  const ok = async (args: string[], input?: string) => {
    const result = await run(args, input);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  return { run, ok };
}
