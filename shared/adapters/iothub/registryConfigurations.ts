// HubConfigurations over the official azure-iothub Registry.
import type { Registry } from 'azure-iothub';
import type { ConfigurationSpec, HubConfiguration, HubConfigurations } from '../../services/hubs/hubConfigurations';
import { toAppError, withTimeout } from './iotHubErrors';

/** The Registry methods this adapter uses (lets tests pass the real Registry, typed narrowly). */
export type ConfigurationRegistry = Pick<Registry, 'getConfiguration' | 'getConfigurations' | 'addConfiguration' | 'updateConfiguration' | 'removeConfiguration'>;

interface WireConfiguration {
  id: string;
  content?: { modulesContent?: Record<string, unknown> };
  targetCondition?: string;
  priority?: number;
  labels?: Record<string, string> | null;
  etag?: string;
  createdTimeUtc?: string;
  systemMetrics?: { results?: Record<string, number> };
  metrics?: { results?: Record<string, number>; queries?: Record<string, string> };
}

/** The SDK types some responses as `any`; IoT Hub's configuration JSON is what arrives. */
const asWire = (body: unknown) => body as WireConfiguration;

function fromWire(c: WireConfiguration): HubConfiguration {
  return {
    id: c.id,
    content: { modulesContent: c.content?.modulesContent ?? {} },
    targetCondition: c.targetCondition ?? '',
    priority: c.priority ?? 0,
    labels: c.labels ?? {},
    etag: c.etag ?? '',
    ...(c.createdTimeUtc ? { createdTimeUtc: c.createdTimeUtc } : {}),
    ...(c.systemMetrics ? { systemMetrics: c.systemMetrics } : {}),
    ...(c.metrics?.queries && Object.keys(c.metrics.queries).length ? { metrics: { queries: c.metrics.queries } } : {}),
    ...(c.metrics?.results && Object.keys(c.metrics.results).length ? { metricsResults: c.metrics.results } : {}),
  };
}

function toWire(spec: ConfigurationSpec, etag?: string) {
  return {
    id: spec.id,
    schemaVersion: '1.0',
    content: { modulesContent: structuredClone(spec.content.modulesContent) as Record<string, object> },
    targetCondition: spec.targetCondition,
    priority: spec.priority,
    labels: { ...spec.labels },
    ...(spec.metrics ? { metrics: { queries: { ...spec.metrics.queries } } } : {}),
    ...(etag ? { etag } : {}),
  };
}

export function registryConfigurations(hub: string, registry: ConfigurationRegistry, timeoutMs: number): HubConfigurations {
  async function run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(call(), timeoutMs, hub, operation);
    } catch (error) {
      throw toAppError(error, hub, operation);
    }
  }

  return {
    hub,
    async get(id) {
      try {
        const result = await withTimeout(registry.getConfiguration(id), timeoutMs, hub, 'get configuration');
        return fromWire(asWire(result.responseBody));
      } catch (error) {
        const mapped = toAppError(error, hub, 'get configuration');
        if (mapped.status === 404) return undefined;
        throw mapped;
      }
    },
    async list() {
      const result = await run('list configurations', () => registry.getConfigurations());
      return (result.responseBody as unknown[]).map((c) => fromWire(asWire(c)));
    },
    async create(spec) {
      const result = await run('create configuration', () => registry.addConfiguration(toWire(spec)));
      return fromWire(asWire(result.responseBody));
    },
    async update(spec, etag) {
      const result = await run('update configuration', () => registry.updateConfiguration(toWire(spec, etag)));
      return fromWire(asWire(result.responseBody));
    },
    async delete(id) {
      try {
        await withTimeout(registry.removeConfiguration(id), timeoutMs, hub, 'delete configuration');
      } catch (error) {
        const mapped = toAppError(error, hub, 'delete configuration');
        if (mapped.status !== 404) throw mapped;
      }
    },
  };
}
