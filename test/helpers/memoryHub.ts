// An in-memory HubConfigurations for unit tests of the services (the port,
// not the SDK: integration tests use the real SDK against the simulator).
import { AppError } from '../../shared/errors';
import type { ConfigurationSpec, HubConfiguration, HubConfigurations } from '../../shared/services/hubs/hubConfigurations';

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
