// The IoT Hub service REST API that azure-iothub's Registry speaks, over one
// hub. Routes map to SimulatedHub operations; errors are HubErrors.
import { type Device } from './devices';
import { type SimulatedHub } from './hub';
import { HubError, hubErrors } from './hubError';
import { parseQuery, QuerySyntaxError, runQuery } from './query';
import { configurationJson } from './configurations';
import { requiredModuleId } from './deployments';
import { type Json } from './twin';

export interface ApiRequest {
  readonly method: string;
  readonly path: string; // without query string
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Json | undefined;
  /** The parsed body when it is not an object (bulk device operations send an array). */
  readonly rawBody?: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const ok = (body: unknown, etag?: string): ApiResponse => ({ status: 200, body, ...(etag ? { headers: { ETag: `"${etag}"` } } : {}) });
const noContent: ApiResponse = { status: 204 };

function ifMatchOk(header: string | undefined, etag: string): boolean {
  if (!header) return true;
  const wanted = header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return wanted === '*' || wanted === etag;
}

export function handleApi(hub: SimulatedHub, req: ApiRequest): ApiResponse {
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(req.query.get('api-version') ?? '')) {
    throw new HubError(400, 'InvalidProtocolVersion', 'The api-version query parameter is missing or malformed.');
  }
  const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [collection, id, sub, subId] = parts;
  const body = req.body ?? {};
  const ifMatch = req.headers['if-match'];
  switch (collection) {
    case 'devices':
      if (id === 'query' && parts.length === 2 && req.method === 'POST') return query(hub, req);
      if (id === undefined) {
        if (req.method === 'GET') {
          const top = Number(req.query.get('top') ?? 1000);
          return ok([...hub.devices.values()].slice(0, top).map((d) => d.toJSON()));
        }
        if (req.method === 'POST' && Array.isArray(req.rawBody)) return bulk(hub, req.rawBody as Json[]);
        break;
      }
      if (sub === undefined) return device(hub, req.method, id, body, ifMatch);
      if (sub === 'applyConfigurationContent' && req.method === 'POST') return applyContent(hub, hub.device(id), body);
      if (sub === 'modules') return module(hub, req.method, hub.device(id), subId, body, ifMatch);
      break;
    case 'twins': {
      if (id === undefined) break;
      const owner = hub.device(id);
      const twin = sub === 'modules' && subId ? owner.module(subId).twin : owner.twin;
      if (req.method === 'GET') return ok(twin.document(), twin.etag);
      if (req.method === 'PATCH' || req.method === 'PUT') {
        if (!ifMatchOk(ifMatch, twin.etag)) throw hubErrors.preconditionFailed(`twin ${id}`);
        const tagsBefore = JSON.stringify(twin.tags);
        twin.update(body, req.method === 'PUT');
        hub.twinChangedByService(owner, sub === 'modules' ? subId : undefined, body, req.method === 'PUT');
        // Tags feed target conditions, so a tag change re-applies configurations at once.
        if (JSON.stringify(twin.tags) !== tagsBefore) hub.reevaluate([owner]);
        return ok(twin.document(), twin.etag);
      }
      break;
    }
    case 'configurations':
      hub.throttleConfigurations();
      if (id === undefined && req.method === 'GET') {
        return ok([...hub.configurations.items.values()].map((c) => {
          const m = hub.metrics(c);
          return configurationJson(c, m.systemMetrics, m.results);
        }));
      }
      if (id === undefined) break;
      if (req.method === 'GET') {
        const c = hub.configurations.get(id);
        const m = hub.metrics(c);
        const json = configurationJson(c, m.systemMetrics, m.results);
        return ok(json, json.etag as string);
      }
      if (req.method === 'PUT') {
        const before = hub.configurations.items.get(id);
        const targeting = before && `${before.priority}|${before.targetCondition}`;
        const { record } = hub.configurations.put(id, body, ifMatch);
        if (targeting !== `${record.priority}|${record.targetCondition}`) hub.reevaluate();
        // Like IoT Hub, a write answers without computing metrics (they are counted on GET).
        const json = configurationJson(record, { results: {}, queries: {} }, {});
        return ok(json, json.etag as string);
      }
      if (req.method === 'DELETE') {
        hub.configurations.delete(id, ifMatch);
        hub.reevaluate();
        return noContent;
      }
      break;
    case 'statistics': {
      const all = [...hub.devices.values()];
      const enabled = all.filter((d) => d.status === 'enabled').length;
      return ok({ totalDeviceCount: all.length, enabledDeviceCount: enabled, disabledDeviceCount: all.length - enabled });
    }
  }
  throw new HubError(404, 'NotFound', `No route for ${req.method} ${req.path}.`);
}

function device(hub: SimulatedHub, method: string, id: string, body: Json, ifMatch: string | undefined): ApiResponse {
  if (method === 'GET') return ok(hub.device(id).toJSON(), hub.device(id).etag);
  if (method === 'DELETE') {
    const existing = hub.device(id);
    if (!ifMatchOk(ifMatch, existing.etag)) throw hubErrors.preconditionFailed(`device ${id}`);
    hub.deleteDevice(id);
    return noContent;
  }
  if (method !== 'PUT') throw new HubError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
  const existing = hub.devices.get(id);
  if (!ifMatch || !existing) {
    if (ifMatch && !existing) throw hubErrors.deviceNotFound(id);
    const created = hub.createDevice(id, body);
    return ok(created.toJSON(), created.etag);
  }
  if (!ifMatchOk(ifMatch, existing.etag)) throw hubErrors.preconditionFailed(`device ${id}`);
  existing.update(body);
  hub.reevaluate([existing]);
  return ok(existing.toJSON(), existing.etag);
}

function module(hub: SimulatedHub, method: string, owner: Device, moduleId: string | undefined, body: Json, ifMatch: string | undefined): ApiResponse {
  if (moduleId === undefined) {
    if (method === 'GET') return ok([...owner.modules.values()].map((m) => m.toJSON()));
    throw new HubError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
  }
  if (method === 'GET') return ok(owner.module(moduleId).toJSON(), owner.module(moduleId).etag);
  if (method === 'DELETE') {
    const existing = owner.module(moduleId);
    if (!ifMatchOk(ifMatch, existing.etag)) throw hubErrors.preconditionFailed(`module ${moduleId}`);
    owner.modules.delete(moduleId);
    return noContent;
  }
  if (method !== 'PUT') throw new HubError(405, 'MethodNotAllowed', `${method} is not allowed here.`);
  const existing = owner.modules.get(moduleId);
  if (!existing) {
    if (ifMatch) throw hubErrors.moduleNotFound(owner.deviceId, moduleId);
    const created = owner.addModule(moduleId, body);
    hub.reevaluate([owner]);
    return ok(created.toJSON(), created.etag);
  }
  if (!ifMatch) throw hubErrors.moduleExists(owner.deviceId, moduleId);
  if (!ifMatchOk(ifMatch, existing.etag)) throw hubErrors.preconditionFailed(`module ${moduleId}`);
  existing.etagVersion++;
  return ok(existing.toJSON(), existing.etag);
}

/** POST /devices: the SDK's addDevices/updateDevices/removeDevices, at most 100 per call like IoT Hub. */
function bulk(hub: SimulatedHub, items: Json[]): ApiResponse {
  if (items.length > 100) throw hubErrors.badRequest('At most 100 devices per bulk operation.', 'TooManyDevices');
  const errors: { deviceId: string; errorCode: string; errorStatus: string }[] = [];
  for (const item of items) {
    const id = typeof item.id === 'string' ? item.id : '';
    try {
      const mode = (typeof item.importMode === 'string' ? item.importMode : 'create').toLowerCase();
      if (mode === 'create') hub.createDevice(id, item);
      else if (mode.startsWith('delete')) hub.deleteDevice(id);
      else if (mode.startsWith('update')) {
        hub.device(id).update(item);
        hub.reevaluate([hub.device(id)]);
      } else throw hubErrors.badRequest(`Unknown importMode '${mode}'.`);
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      errors.push({ deviceId: id, errorCode: error.code, errorStatus: error.message });
    }
  }
  return { status: errors.length ? 400 : 200, body: { isSuccessful: errors.length === 0, errors, warnings: [] } };
}

/** Sets module desired properties directly (what `az iot edge set-modules` does), outside any deployment. */
function applyContent(hub: SimulatedHub, owner: Device, body: Json): ApiResponse {
  const modules = body.modulesContent as Record<string, Json> | undefined;
  if (!modules) throw hubErrors.badRequest('applyConfigurationContent needs modulesContent.');
  for (const [moduleId, content] of Object.entries(modules)) {
    const module = owner.modules.get(moduleId) ?? owner.addModule(moduleId, { managedBy: 'iotEdge' });
    module.twin.setDesired(structuredClone((content['properties.desired'] ?? {}) as Json));
  }
  hub.onEdgeDesiredChanged(owner);
  return ok({});
}

function query(hub: SimulatedHub, req: ApiRequest): ApiResponse {
  hub.throttleQueries();
  const text = req.body?.query;
  if (typeof text !== 'string') throw hubErrors.badRequest('The body must be {"query": "..."}.', 'BadRequest');
  let parsed;
  try {
    parsed = parseQuery(text);
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw hubErrors.badRequest(`Query syntax error: ${error.message}`, 'BadRequest');
    throw error;
  }
  const docs = parsed.from === 'devices' ? hub.deviceDocs() : hub.moduleDocs(requiredModuleId(parsed.where));
  const rows = runQuery(parsed, docs);
  const pageSize = Math.min(Number(req.headers['x-ms-max-item-count'] ?? 100) || 100, hub.limits.maxPageSize);
  const token = req.headers['x-ms-continuation'];
  let offset = 0;
  if (token) {
    try {
      offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: number }).offset;
    } catch {
      throw hubErrors.badRequest('Invalid continuation token.', 'BadRequest');
    }
  }
  const page = rows.slice(offset, offset + pageSize);
  const headers: Record<string, string> = { 'x-ms-item-type': parsed.select.kind === 'all' ? 'Twin' : 'JSON' };
  if (offset + pageSize < rows.length) {
    headers['x-ms-continuation'] = Buffer.from(JSON.stringify({ offset: offset + pageSize })).toString('base64');
  }
  return { status: 200, body: page, headers };
}
