// Configurations (automatic device/module management and IoT Edge
// deployments) of one hub, with IoT Hub's rules: content is immutable after
// creation, updates need a matching ETag (or '*'), and a hub holds a bounded number.
import { isDeepStrictEqual } from 'node:util';
import { HubError, hubErrors } from './hubError';
import { type Condition, parseCondition, QuerySyntaxError } from './query';
import { etagOf, type Json } from './twin';

export interface ConfigurationRecord {
  readonly id: string;
  readonly schemaVersion: string;
  labels: Record<string, string>;
  readonly content: Json;
  targetCondition: string;
  condition: Condition;
  priority: number;
  readonly createdTimeUtc: string;
  lastUpdatedTimeUtc: string;
  metricQueries: Record<string, string>;
  etagVersion: number;
  /** Insertion order; breaks createdTimeUtc ties between configurations made in the same millisecond. */
  readonly sequence: number;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-:+%_#*?!(),=@;$']{0,127}$/;

function parseTarget(text: unknown): { targetCondition: string; condition: Condition } {
  const targetCondition = typeof text === 'string' ? text : '';
  if (!targetCondition.trim()) return { targetCondition, condition: { kind: 'constant', value: false } };
  try {
    return { targetCondition, condition: parseCondition(targetCondition) };
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw hubErrors.badRequest(`Invalid target condition: ${error.message}`);
    throw error;
  }
}

function metricQueries(body: Json): Record<string, string> {
  const queries = (body.metrics as { queries?: unknown } | undefined)?.queries;
  return queries && typeof queries === 'object' ? { ...(queries as Record<string, string>) } : {};
}

const stripQuotes = (etag: string) => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

export class ConfigurationStore {
  readonly items = new Map<string, ConfigurationRecord>();
  private sequence = 0;

  constructor(private readonly maxConfigurations: () => number) {}

  get(id: string): ConfigurationRecord {
    const record = this.items.get(id);
    if (!record) throw hubErrors.configurationNotFound(id);
    return record;
  }

  /** PUT /configurations/{id}: create without If-Match, update with If-Match (ETag or '*'). */
  put(id: string, body: Json, ifMatch: string | undefined): { record: ConfigurationRecord; created: boolean } {
    const existing = this.items.get(id);
    if (!ifMatch) {
      if (existing) throw hubErrors.configurationExists(id);
      return { record: this.create(id, body), created: true };
    }
    if (!existing) throw hubErrors.configurationNotFound(id);
    const wanted = stripQuotes(ifMatch);
    if (wanted !== '*' && wanted !== etagOf(existing.etagVersion)) throw hubErrors.preconditionFailed(`configuration ${id}`);
    if (body.content !== undefined && !isDeepStrictEqual(body.content, existing.content)) {
      throw new HubError(400, 'ArgumentInvalid', `Configuration ${id} content cannot be updated: content is immutable after creation.`);
    }
    const target = parseTarget(body.targetCondition);
    existing.targetCondition = target.targetCondition;
    existing.condition = target.condition;
    existing.priority = typeof body.priority === 'number' ? body.priority : existing.priority;
    existing.labels = (body.labels as Record<string, string> | undefined) ?? {};
    existing.metricQueries = metricQueries(body);
    existing.lastUpdatedTimeUtc = new Date().toISOString();
    existing.etagVersion++;
    return { record: existing, created: false };
  }

  private create(id: string, body: Json): ConfigurationRecord {
    if (!ID_PATTERN.test(id)) throw hubErrors.badRequest(`Configuration id '${id}' is not valid: lowercase, at most 128 characters.`);
    if (this.items.size >= this.maxConfigurations()) throw hubErrors.configurationLimit(this.maxConfigurations());
    const content = (body.content ?? {}) as Json;
    const kinds = ['modulesContent', 'moduleContent', 'deviceContent'].filter((k) => content[k] !== undefined);
    if (kinds.length !== 1) throw hubErrors.badRequest('Configuration content must have exactly one of modulesContent, moduleContent or deviceContent.');
    const now = new Date().toISOString();
    const record: ConfigurationRecord = {
      id,
      schemaVersion: typeof body.schemaVersion === 'string' ? body.schemaVersion : '1.0',
      labels: (body.labels as Record<string, string> | undefined) ?? {},
      content,
      ...parseTarget(body.targetCondition),
      priority: typeof body.priority === 'number' ? body.priority : 0,
      createdTimeUtc: now,
      lastUpdatedTimeUtc: now,
      metricQueries: metricQueries(body),
      etagVersion: 1,
      sequence: this.sequence++,
    };
    this.items.set(id, record);
    return record;
  }

  delete(id: string, ifMatch: string | undefined): void {
    const existing = this.get(id);
    const wanted = ifMatch ? stripQuotes(ifMatch) : '*';
    if (wanted !== '*' && wanted !== etagOf(existing.etagVersion)) throw hubErrors.preconditionFailed(`configuration ${id}`);
    this.items.delete(id);
  }
}

export function configurationJson(
  record: ConfigurationRecord,
  systemMetrics: { results: Record<string, number>; queries: Record<string, string> },
  metricResults: Record<string, number>,
): Json {
  return {
    id: record.id,
    schemaVersion: record.schemaVersion,
    labels: record.labels,
    content: record.content,
    contentType: 'assignment',
    targetCondition: record.targetCondition,
    createdTimeUtc: record.createdTimeUtc,
    lastUpdatedTimeUtc: record.lastUpdatedTimeUtc,
    priority: record.priority,
    systemMetrics,
    metrics: { results: metricResults, queries: record.metricQueries },
    etag: etagOf(record.etagVersion),
  };
}
