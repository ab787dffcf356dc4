// The hubs' own counts for each deployment's configuration (IoT Hub
// systemMetrics: targeted, applied, reportedSuccessful, reportedFailed), as the
// reconciler saw them in its latest list of each hub. GET .../status reads
// them from here instead of spending the hubs' throttled configuration reads.

export interface ConfigurationMetrics {
  readonly deploymentId: string;
  readonly hub: string;
  readonly configurationId: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Results of the deployment's custom metric queries (IoT Hub `metrics.results`), when it has any. */
  readonly custom?: Readonly<Record<string, number>>;
  /** When the reconciler last saw these counts (they are as fresh as the hub's last check). */
  readonly observedAt: string;
}

export interface MetricsStore {
  record(metrics: readonly ConfigurationMetrics[]): Promise<void>;
  all(): Promise<ConfigurationMetrics[]>;
  forDeployment(deploymentId: string): Promise<ConfigurationMetrics[]>;
  /** Drops every row of a deployment that no longer exists (absent is fine). */
  remove(deploymentId: string): Promise<void>;
}
