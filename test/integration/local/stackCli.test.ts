// `npm start` as a user runs it (the compiled entry point, in its own process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../../../local/azurite';
import { projectRoot, waitFor } from '../../helpers/fixtureApp';

const entry = join(projectRoot, 'dist', 'local', 'stack', 'main.js');

function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  // Every component on a free port: never the fixed ones a developer's own `npm start` holds.
  // A process group of its own, as a terminal gives a foreground job, so Ctrl-C can be sent to all of it.
  const child = spawn(process.execPath, [entry, ...args, '--eventhubs-port', '0', '--tls-port', '0'], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** Resolves when the ready line appears; fails at once, with stderr, if the stack exits first. */
  const ready = () =>
    waitFor(() => {
      if (/Local stack ready/.test(stdout)) return true;
      if (child.exitCode !== null) throw new Error(`the stack exited (${child.exitCode}) before it was ready:\n${stderr}`);
      return undefined;
    }, 60000, 'the ready line');
  /** What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. */
  const ctrlC = () => process.kill(-child.pid!, 'SIGINT');
  return { child, exited, ready, ctrlC, out: () => stdout, err: () => stderr };
}

const portOpen = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('npm start (the local stack entry point)', () => {
  it('gets ready, writes .local/stack.json, guards the API with the function key, and stops cleanly on SIGINT', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'stack-'));
    const cli = startCli(['--port', '0', '--in-memory', '--state-dir', stateDir]);
    try {
      await cli.ready();
      const info = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { baseUrl: string; functionKey: string; storageConnectionString: string };
      assert.match(info.baseUrl, /^http:\/\/localhost:\d+\/api$/);
      assert.match(info.storageConnectionString, /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(cli.out().includes(info.baseUrl), 'the ready line names the base URL');

      const health = await fetch(`${info.baseUrl}/health`, { headers: { 'x-functions-key': info.functionKey } });
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'healthy');
      assert.equal((await fetch(`${info.baseUrl}/health`)).status, 401);
      const { consoleUrl } = info as unknown as { consoleUrl: string };
      assert.equal(consoleUrl, `${info.baseUrl}/console/`);
      assert.ok(cli.out().includes(`Console: ${consoleUrl}`), 'the ready line names the console');
      assert.match(await (await fetch(consoleUrl)).text(), /<title>Fleet console<\/title>/);
      const { kubeconfig, kubernetesServer } = info as unknown as { kubeconfig: string; kubernetesServer: string };
      assert.equal(kubeconfig, join(stateDir, 'kubeconfig'));
      assert.match(kubernetesServer, /^https:\/\/127\.0\.0\.1:\d+\/api\/k8s$/);
      assert.ok(cli.out().includes(`KUBECONFIG=`) && cli.out().includes(kubernetesServer), 'the ready line names the kubeconfig and the Kubernetes server');
      assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: ${kubernetesServer.replace(/[./]/g, '\\$&')}`));

      // A template as Microsoft ships it, inline registry password included, is taken as it is:
      // the stack makes the sealing key (REGISTRY_SECRETS_KEY) once and keeps it beside keys.json.
      const template = JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'real-world', 'iiotsamples-topLayerBaseDeploymentItProxy.json'), 'utf8')) as unknown;
      const created = await fetch(`${info.baseUrl}/deployments`, {
        method: 'POST',
        headers: { 'x-functions-key': info.functionKey, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'template', target: { condition: "tags.env='nowhere'" }, manifest: template }),
      });
      assert.ok(created.status === 201 || created.status === 202, `${created.status} ${await created.text()}`);
      assert.equal(statSync(join(stateDir, 'app-secrets.json')).mode & 0o777, 0o600);

      const tableEndpoint = /TableEndpoint=([^;]+)/.exec(info.storageConnectionString)![1]!;
      const stopStarted = Date.now();
      cli.child.kill('SIGINT');
      assert.equal(await cli.exited, 0);
      assert.ok(Date.now() - stopStarted < 5000, 'stopped within 5 s');
      assert.equal(await portOpen(tableEndpoint), false, 'Azurite is still listening after stop');
      assert.equal(await portOpen(info.baseUrl), false, 'the host is still listening after stop');
      assert.equal(existsSync(join(stateDir, 'stack.json')), false, 'stack.json outlived the stack');
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('on Ctrl-C stops within 5 s, and Azurite flushes what was just written instead of being killed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'stack-'));
    const cli = startCli(['--port', '0', '--state-dir', stateDir]);
    try {
      await cli.ready();
      const stackFile = join(stateDir, 'stack.json');
      assert.ok(cli.out().includes(stackFile.replace(`${projectRoot}/`, '')) || cli.out().includes(stackFile), 'the ready line says where stack.json is');
      const info = JSON.parse(readFileSync(stackFile, 'utf8')) as { storageConnectionString: string };
      // Written just before Ctrl-C: well inside LokiJS's 5 s autosave interval, so only a flush on close keeps it.
      const table = TableClient.fromConnectionString(info.storageConnectionString, 'flushcheck', { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'written-before-ctrl-c', value: 42 });

      const stopStarted = Date.now();
      cli.ctrlC();
      assert.equal(await cli.exited, 0, cli.err());
      const stopMs = Date.now() - stopStarted;
      assert.ok(stopMs < 5000, `stopped within 5 s (took ${stopMs} ms)`);
      assert.equal(existsSync(stackFile), false, 'stack.json outlived the stack');
    } finally {
      if (cli.child.exitCode === null) process.kill(-cli.child.pid!, 'SIGKILL');
    }
    // The same data folder again: the entity is there only if Azurite saved its database on the way out.
    const azurite = await startAzurite({ location: join(stateDir, 'azurite') });
    try {
      const table = TableClient.fromConnectionString(azurite.connectionString, 'flushcheck', { allowInsecureConnection: true });
      const entity = await table.getEntity<{ value: number }>('p', 'written-before-ctrl-c');
      assert.equal(entity.value, 42);
    } finally {
      await azurite.stop();
    }
  });

  it('refuses to start with a malformed setting and names it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'stack-'));
    const cli = startCli(['--port', '0', '--in-memory', '--state-dir', stateDir], { DEVICE_OFFLINE_AFTER_SECONDS: 'soon' });
    assert.equal(await cli.exited, 1);
    assert.match(cli.err(), /DEVICE_OFFLINE_AFTER_SECONDS: must be a positive whole number\. Expected: A device with no event/);
  });

  it('says clearly when the port is taken', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'stack-'));
    const first = startCli(['--port', '0', '--in-memory', '--state-dir', stateDir]);
    try {
      await first.ready();
      const port = /localhost:(\d+)/.exec(first.out())![1]!;
      const second = startCli(['--port', port, '--in-memory', '--state-dir', mkdtempSync(join(tmpdir(), 'stack-'))]);
      assert.equal(await second.exited, 1);
      assert.match(second.err(), new RegExp(`Port ${port} is already in use`));
    } finally {
      first.child.kill('SIGINT');
      await first.exited;
    }
  });
});
