// Simulated edgeAgents of one hub's IoT Edge devices. When `$edgeAgent`'s
// desired properties change, the agent "applies" them after a seeded random
// delay and reports what a real agent reports: lastDesiredVersion,
// lastDesiredStatus, and per module runtimeStatus, exitCode, restartCount,
// start/exit times and settings.image. Scenarios make it crash, restart (flaky), pull slowly or reject.
import { type Device } from './devices';
import { heartbeatEvent } from './events';
import { type SimulatedHub } from './hub';
import { percentile, type ScenarioBook } from './scenarios';
import { type Json } from './twin';

export interface EdgeAgentOptions {
  readonly seed: number;
  /** Delay before an agent reports a new deployment, uniformly in [min, max], seeded per device and version. */
  readonly applyDelayMs: { readonly min: number; readonly max: number };
  /** How often a crashing or flaky module restarts (and the agent re-reports). */
  readonly crashRestartMs: number;
  /** Restarts after which a crashing module is reported `failed` instead of `backoff`. */
  readonly failAfterRestarts: number;
  /** Heartbeat period of connected edge devices; 0 turns heartbeats off. */
  readonly heartbeatMs: number;
}

interface ModuleDesired {
  settings?: { image?: string; createOptions?: string };
  status?: string;
  restartPolicy?: string;
  version?: string;
  type?: string;
}

interface ModuleState {
  image: string;
  startedAt: string;
  restarts: number;
}

export class EdgeAgentSimulator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Set<string>();
  private readonly moduleStates = new Map<string, Map<string, ModuleState>>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: SimulatedHub,
    private readonly scenarios: ScenarioBook,
    private readonly options: EdgeAgentOptions,
  ) {
    hub.onEdgeDesiredChanged = (device) => this.schedule(device);
    if (options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        this.sendHeartbeats().catch((e: unknown) => this.failed('heartbeat', e));
      }, options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** A device came back: it applies whatever changed while it was away. */
  reconnected(device: Device): void {
    if (this.pending.delete(device.deviceId)) this.schedule(device);
  }

  schedule(device: Device, delayMs?: number, restart = false): void {
    const id = device.deviceId;
    clearTimeout(this.timers.get(id));
    if (device.connectionState !== 'Connected') {
      this.pending.add(id);
      return;
    }
    const version = device.modules.get('$edgeAgent')?.twin.desiredVersion ?? 0;
    const { min, max } = this.options.applyDelayMs;
    const delay = delayMs ?? min + ((max - min) * percentile(this.options.seed, `delay:${version}`, id)) / 100 + this.pullDelay(device);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.report(device, restart).catch((e: unknown) => this.failed(id, e));
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }

  private pullDelay(device: Device): number {
    const previous = this.moduleStates.get(device.deviceId);
    const images = Object.values(this.desiredModules(device)).map((m) => m.settings?.image ?? '');
    const fresh = images.filter((image) => ![...(previous?.values() ?? [])].some((s) => s.image === image));
    const slow = this.scenarios.hitting('slowPull', this.hub.name, device);
    return Math.max(0, ...slow.filter((s) => fresh.some((image) => !s.image || image.includes(s.image))).map((s) => s.delayMs));
  }

  private desiredModules(device: Device): Record<string, ModuleDesired> {
    return ((device.modules.get('$edgeAgent')?.twin.desired.modules ?? {}) as Record<string, ModuleDesired>);
  }

  private async report(device: Device, restart: boolean): Promise<void> {
    const agent = device.modules.get('$edgeAgent');
    if (!agent || !this.hub.devices.has(device.deviceId)) return;
    if (device.connectionState !== 'Connected') {
      this.pending.add(device.deviceId);
      return;
    }
    const desired = agent.twin.desired;
    const reject = this.scenarios.hitting('rejectDeployment', this.hub.name, device)[0];
    let status = { code: 200, description: '' };
    if (reject) status = { code: reject.code, description: 'simulated failure to apply the deployment' };
    else if (Object.keys(desired).length === 0) status = { code: 417, description: 'empty configuration' };
    else if (typeof desired.schemaVersion !== 'string') status = { code: 400, description: 'configuration format error: schemaVersion missing' };
    const previous = agent.twin.reported;
    const now = new Date().toISOString();
    const { modules, restarting } = status.code === 200 ? this.moduleReports(device, now, restart) : { modules: (previous.modules ?? {}) as Json, restarting: false };
    const systemModules = (desired.systemModules ?? {}) as Record<string, ModuleDesired>;
    const reported: Json = {
      schemaVersion: '1.1',
      version: { version: '1.5.0-sim' },
      lastDesiredVersion: agent.twin.desiredVersion,
      lastDesiredStatus: status,
      runtime: { platform: { os: 'linux', architecture: 'x86_64' } },
      systemModules: Object.fromEntries(
        ['edgeAgent', 'edgeHub'].map((name) => [name, {
          runtimeStatus: 'running', type: 'docker', exitCode: 0, restartCount: 0, lastStartTimeUtc: now,
          settings: { image: systemModules[name]?.settings?.image ?? `mcr.microsoft.com/azureiotedge-${name.slice(4).toLowerCase()}:1.5` },
        }]),
      ),
      modules,
    };
    // The hub routes what changed (modules gone from the deployment as null), as a real agent's patch would.
    await this.hub.reportModule(device, '$edgeAgent', reported);
    if (restarting) this.schedule(device, this.options.crashRestartMs, true);
  }

  /** What the agent reports per module, and whether some module will restart again (crash-looping or flaky). */
  private moduleReports(device: Device, now: string, restart: boolean): { modules: Json; restarting: boolean } {
    const states = this.moduleStates.get(device.deviceId) ?? new Map<string, ModuleState>();
    this.moduleStates.set(device.deviceId, states);
    const crashes = this.scenarios.hitting('crashImage', this.hub.name, device);
    const flakes = this.scenarios.hitting('flakyImage', this.hub.name, device);
    const result: Json = {};
    let restarting = false;
    const desiredModules = this.desiredModules(device);
    for (const name of [...states.keys()]) if (!(name in desiredModules)) states.delete(name);
    for (const [name, module] of Object.entries(desiredModules)) {
      const image = module.settings?.image ?? '';
      let state = states.get(name);
      if (!state || state.image !== image) states.set(name, (state = { image, startedAt: now, restarts: 0 }));
      const crash = crashes.some((s) => image.includes(s.image));
      const stopped = module.status === 'stopped';
      // A flaky module exited and was started again: running, with one more restart.
      const flaky = !crash && !stopped && flakes.some((s) => image.includes(s.image));
      if ((crash || flaky) && restart) state.restarts++;
      if (flaky && restart) state.startedAt = now;
      const failed = crash && state.restarts >= this.options.failAfterRestarts;
      restarting ||= flaky || (crash && !failed && !stopped);
      result[name] = {
        runtimeStatus: stopped ? 'stopped' : failed ? 'failed' : crash ? 'backoff' : 'running',
        status: module.status ?? 'running',
        exitCode: crash ? 1 : 0,
        statusDescription: crash ? 'Error: module exited with code 1' : stopped ? 'stopped' : 'running',
        restartCount: state.restarts,
        lastStartTimeUtc: state.startedAt,
        lastExitTimeUtc: crash || (flaky && state.restarts > 0) ? now : '0001-01-01T00:00:00Z',
        restartPolicy: module.restartPolicy ?? 'always',
        type: module.type ?? 'docker',
        version: module.version ?? '1.0',
        settings: { image, ...(module.settings?.createOptions ? { createOptions: module.settings.createOptions } : {}) },
      };
    }
    return { modules: result, restarting };
  }

  async sendHeartbeats(): Promise<void> {
    const events = [];
    for (const device of this.hub.devices.values()) {
      if (!device.iotEdge || device.connectionState !== 'Connected') continue;
      const reported = (device.modules.get('$edgeAgent')?.twin.reported.modules ?? {}) as Record<string, { runtimeStatus?: string }>;
      const modules = Object.fromEntries(Object.entries(reported).map(([n, m]) => [n, m.runtimeStatus ?? 'unknown']));
      events.push(heartbeatEvent(this.hub.resourceName, { type: 'heartbeat', deviceId: device.deviceId, sentAtUtc: new Date().toISOString(), modules }));
    }
    if (events.length) await this.hub.publish(events);
  }

  /** A publisher failure must not crash the simulator; the event is lost, as with a failing route. */
  private failed(what: string, error: unknown): void {
    console.error(JSON.stringify({ event: 'iothub-sim-agent-failed', hub: this.hub.name, what, error: String(error) }));
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearInterval(this.heartbeat);
  }
}
