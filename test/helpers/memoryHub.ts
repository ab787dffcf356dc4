// An in-memory HubConfigurations for unit tests of the services (the port,
// not the SDK: integration tests use the real SDK against the simulator).
import { AppError } from '../../shared/errors';
import type { HubFleet, HubRuntime } from '../../shared/services/deployments/hubRuntime';
import type { ConfigurationSpec, HubConfiguration, HubConfigurations } from '../../shared/services/hubs/hubConfigurations';
import type { RateLimiter } from '../../shared/services/hubs/rateLimiter';

export class MemoryHub implements HubConfigurations {
  readonly configs = new Map<string, HubConfiguration>();
  readonly calls: string[] = [];
  /** Makes the next N calls fail with this error. */
  failNext: { count: number; error: AppError } | undefined;
  private etags = 0;

  constructor(readonly hub = 'weu') {}

  private maybeFail(op: string): void {
    this.calls.push(op);
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count--;
      throw this.failNext.error;
    }
  }

  async get(id: string) {
    this.maybeFail(`get ${id}`);
    return Promise.resolve(this.configs.get(id));
  }
  async list() {
    this.maybeFail('list');
    return Promise.resolve([...this.configs.values()]);
  }
  async create(spec: ConfigurationSpec) {
    this.maybeFail(`create ${spec.id}`);
    if (this.configs.has(spec.id)) throw new AppError('ConfigurationAlreadyExists', 409, 'exists', { retryable: false });
    const created = { ...structuredClone(spec), etag: `"${++this.etags}"`, createdTimeUtc: new Date().toISOString() };
    this.configs.set(spec.id, created);
    return Promise.resolve(created);
  }
  async update(spec: ConfigurationSpec, etag: string) {
    this.maybeFail(`update ${spec.id}`);
    const have = this.configs.get(spec.id);
    if (!have) throw new AppError('ConfigurationNotFound', 404, 'missing', { retryable: false });
    if (have.etag !== etag) throw new AppError('PreconditionFailed', 412, 'etag', { retryable: false });
    const updated = { ...have, targetCondition: spec.targetCondition, priority: spec.priority, labels: { ...spec.labels }, etag: `"${++this.etags}"` };
    this.configs.set(spec.id, updated);
    return Promise.resolve(updated);
  }
  async delete(id: string) {
    this.maybeFail(`delete ${id}`);
    this.configs.delete(id);
    return Promise.resolve();
  }
}

/** The installation the tests' fleets and configurations belong to. */
export const TEST_INSTALLATION = 'test-installation';

/** A limiter that never waits: unit and service tests are about sync logic, not rate. */
export const unlimited: RateLimiter = { acquire: async () => Promise.resolve(), pause: () => undefined };

/** A fleet of in-memory hubs, with optional hub labels (for selector tests). */
export function memoryFleet(hubs: readonly MemoryHub[], options: { maxConfigurations?: number; labels?: Record<string, Record<string, string>> } = {}): HubFleet {
  return {
    installationId: TEST_INSTALLATION,
    maxConfigurations: options.maxConfigurations ?? 100,
    hubs: new Map(hubs.map((h): [string, HubRuntime] => [h.hub, { name: h.hub, region: h.hub, labels: options.labels?.[h.hub] ?? {}, configurations: h, limiter: unlimited }])),
  };
}
