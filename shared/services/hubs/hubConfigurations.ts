// The port the fan-out and the reconciler use to talk to one IoT Hub's
// configurations. The azure-iothub adapter implements it; errors it throws are
// AppErrors (`retryable`, `retryAfterSeconds` for 429) so callers can classify.

export interface ConfigurationSpec {
  readonly id: string;
  readonly content: { readonly modulesContent: Readonly<Record<string, unknown>> };
  readonly targetCondition: string;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Custom metric queries; IoT Hub answers them in `metrics.results`. */
  readonly metrics?: { readonly queries: Readonly<Record<string, string>> };
}

export interface HubConfiguration extends ConfigurationSpec {
  readonly etag: string;
  readonly createdTimeUtc?: string;
  readonly systemMetrics?: { readonly results?: Readonly<Record<string, number>> };
  readonly metricsResults?: Readonly<Record<string, number>>;
}

export interface HubConfigurations {
  readonly hub: string;
  /** undefined when the configuration does not exist. */
  get(id: string): Promise<HubConfiguration | undefined>;
  list(): Promise<HubConfiguration[]>;
  create(spec: ConfigurationSpec): Promise<HubConfiguration>;
  /** Only targetCondition, priority, labels (and metrics) can change; guarded by the etag. */
  update(spec: ConfigurationSpec, etag: string): Promise<HubConfiguration>;
  /** Deleting a missing configuration is not an error. */
  delete(id: string): Promise<void>;
}
