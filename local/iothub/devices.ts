// Device and module identities of one simulated hub, each owning its twin.
import { randomBytes, randomUUID } from 'node:crypto';
import { hubErrors } from './hubError';
import { etagOf, type Json, Twin, type TwinOwner } from './twin';

const newKey = () => randomBytes(32).toString('base64');

interface Authentication {
  type: string;
  symmetricKey: { primaryKey: string; secondaryKey: string };
  x509Thumbprint: { primaryThumbprint: string | null; secondaryThumbprint: string | null };
}

function authenticationFrom(body: Json): Authentication {
  const given = (body.authentication ?? {}) as Partial<Authentication>;
  return {
    type: given.type ?? 'sas',
    symmetricKey: {
      primaryKey: given.symmetricKey?.primaryKey || newKey(),
      secondaryKey: given.symmetricKey?.secondaryKey || newKey(),
    },
    x509Thumbprint: {
      primaryThumbprint: given.x509Thumbprint?.primaryThumbprint ?? null,
      secondaryThumbprint: given.x509Thumbprint?.secondaryThumbprint ?? null,
    },
  };
}

abstract class Identity implements TwinOwner {
  abstract readonly deviceId: string;
  readonly generationId = String(Date.now()) + String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  etagVersion = 1;
  connectionState: 'Connected' | 'Disconnected' = 'Disconnected';
  connectionStateUpdatedTime = '0001-01-01T00:00:00Z';
  lastActivityTime = '0001-01-01T00:00:00Z';
  authentication: Authentication;
  readonly twin: Twin;

  constructor(body: Json, maxDesiredBytes: number) {
    this.authentication = authenticationFrom(body);
    this.twin = new Twin(this, maxDesiredBytes);
  }

  get etag(): string {
    return etagOf(this.etagVersion);
  }

  abstract identityFields(): Json;
}

export class Module extends Identity {
  managedBy: string | undefined;
  constructor(
    readonly deviceId: string,
    readonly moduleId: string,
    body: Json,
    maxDesiredBytes: number,
  ) {
    super(body, maxDesiredBytes);
    this.managedBy = typeof body.managedBy === 'string' ? body.managedBy : undefined;
  }

  identityFields(): Json {
    return {
      deviceEtag: this.etag,
      status: 'enabled',
      connectionState: this.connectionState,
      lastActivityTime: this.lastActivityTime,
      cloudToDeviceMessageCount: 0,
      authenticationType: this.authentication.type,
      x509Thumbprint: this.authentication.x509Thumbprint,
      modelId: '',
    };
  }

  toJSON(): Json {
    return {
      moduleId: this.moduleId,
      deviceId: this.deviceId,
      managedBy: this.managedBy,
      generationId: this.generationId,
      etag: this.etag,
      connectionState: this.connectionState,
      connectionStateUpdatedTime: this.connectionStateUpdatedTime,
      lastActivityTime: this.lastActivityTime,
      cloudToDeviceMessageCount: 0,
      authentication: this.authentication,
    };
  }
}

export class Device extends Identity {
  status: 'enabled' | 'disabled';
  statusReason: string | null;
  statusUpdatedTime = new Date().toISOString();
  iotEdge: boolean;
  readonly modules = new Map<string, Module>();

  constructor(
    readonly deviceId: string,
    body: Json,
    private readonly maxDesiredBytes: number,
  ) {
    super(body, maxDesiredBytes);
    this.status = body.status === 'disabled' ? 'disabled' : 'enabled';
    this.statusReason = typeof body.statusReason === 'string' ? body.statusReason : null;
    this.iotEdge = Boolean((body.capabilities as { iotEdge?: boolean } | undefined)?.iotEdge);
    // IoT Hub creates the two system modules with every IoT Edge device.
    if (this.iotEdge) for (const id of ['$edgeAgent', '$edgeHub']) this.addModule(id, { managedBy: 'iotEdge' });
  }

  /** Updates the identity from a PUT body (status, capabilities, keys). */
  update(body: Json): void {
    if (body.status === 'enabled' || body.status === 'disabled') {
      if (body.status !== this.status) this.statusUpdatedTime = new Date().toISOString();
      this.status = body.status;
    }
    if (body.authentication) this.authentication = authenticationFrom(body);
    const iotEdge = (body.capabilities as { iotEdge?: boolean } | undefined)?.iotEdge;
    if (typeof iotEdge === 'boolean') this.iotEdge = iotEdge;
    this.etagVersion++;
    this.twin.invalidate();
  }

  addModule(moduleId: string, body: Json): Module {
    if (this.modules.has(moduleId)) throw hubErrors.moduleExists(this.deviceId, moduleId);
    const module = new Module(this.deviceId, moduleId, body, this.maxDesiredBytes);
    this.modules.set(moduleId, module);
    return module;
  }

  module(moduleId: string): Module {
    const module = this.modules.get(moduleId);
    if (!module) throw hubErrors.moduleNotFound(this.deviceId, moduleId);
    return module;
  }

  setConnected(connected: boolean): void {
    const now = new Date().toISOString();
    this.connectionState = connected ? 'Connected' : 'Disconnected';
    this.connectionStateUpdatedTime = now;
    if (connected) this.lastActivityTime = now;
    this.twin.invalidate();
    for (const module of this.modules.values()) {
      module.connectionState = this.connectionState;
      module.connectionStateUpdatedTime = now;
      module.twin.invalidate();
    }
  }

  identityFields(): Json {
    return {
      deviceEtag: this.etag,
      status: this.status,
      statusReason: this.statusReason,
      statusUpdateTime: this.statusUpdatedTime,
      connectionState: this.connectionState,
      lastActivityTime: this.lastActivityTime,
      cloudToDeviceMessageCount: 0,
      authenticationType: this.authentication.type,
      x509Thumbprint: this.authentication.x509Thumbprint,
      modelId: '',
      capabilities: { iotEdge: this.iotEdge },
    };
  }

  toJSON(): Json {
    return {
      deviceId: this.deviceId,
      generationId: this.generationId,
      etag: this.etag,
      connectionState: this.connectionState,
      status: this.status,
      statusReason: this.statusReason,
      connectionStateUpdatedTime: this.connectionStateUpdatedTime,
      statusUpdatedTime: this.statusUpdatedTime,
      lastActivityTime: this.lastActivityTime,
      cloudToDeviceMessageCount: 0,
      authentication: this.authentication,
      capabilities: { iotEdge: this.iotEdge },
    };
  }
}

export const newRequestId = () => randomUUID();
