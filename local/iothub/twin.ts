// One twin (device or module): tags, desired and reported properties with
// their versions, and the JSON document IoT Hub returns and queries over.
// The document is cached until the twin changes, because queries over
// thousands of devices read it far more often than it is written.
import { HubError } from './hubError';

export type Json = Record<string, unknown>;

export interface TwinOwner {
  readonly deviceId: string;
  readonly moduleId?: string;
  /** Fields of the device or module that a twin document also shows. */
  identityFields(): Json;
}

export const etagOf = (version: number): string => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(version));
  return buffer.toString('base64');
};

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON merge patch as twins use it: objects merge, null removes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  const result: Json = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // $version, $metadata are the hub's own
    if (value === null) delete result[key];
    else if (isObject(value)) result[key] = mergePatch(isObject(result[key]) ? result[key] : {}, value);
    else result[key] = value;
  }
  return result;
}

/** The JSON merge patch that turns `before` into `after` (what a twin change event carries): changed keys, null for removed ones. */
export function diffPatch(before: Json, after: Json): Json {
  const patch: Json = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (isObject(value) && isObject(old)) {
      const inner = diffPatch(old, value);
      if (Object.keys(inner).length) patch[key] = inner;
    } else if (JSON.stringify(old) !== JSON.stringify(value)) patch[key] = value;
  }
  return patch;
}

export function withoutNulls(value: Json): Json {
  return mergePatch({}, value);
}

export class Twin {
  version = 1;
  tags: Json = {};
  desired: Json = {};
  desiredVersion = 1;
  reported: Json = {};
  reportedVersion = 1;
  configurations: Record<string, { status: 'Targeted' | 'Applied' }> = {};
  desiredUpdated = new Date().toISOString();
  reportedUpdated = new Date().toISOString();
  private cached: Json | undefined;

  constructor(
    readonly owner: TwinOwner,
    private readonly maxDesiredBytes: number,
  ) {}

  get etag(): string {
    return etagOf(this.version);
  }

  /** Call after any change to the twin or its owner. */
  touch(): void {
    this.version++;
    this.cached = undefined;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  setDesired(desired: Json): void {
    if (Buffer.byteLength(JSON.stringify(desired)) > this.maxDesiredBytes) {
      throw new HubError(400, 'ArgumentInvalid', `Desired properties exceed the maximum twin size of ${this.maxDesiredBytes} bytes.`);
    }
    this.desired = desired;
    this.desiredVersion++;
    this.desiredUpdated = new Date().toISOString();
    this.touch();
  }

  setReported(reported: Json): void {
    this.reported = reported;
    this.reportedVersion++;
    this.reportedUpdated = new Date().toISOString();
    this.touch();
  }

  /** PATCH (merge) or PUT (replace) from the service side: tags and desired properties only. */
  update(body: Json, replace: boolean): void {
    const properties = isObject(body.properties) ? body.properties : {};
    const desiredPatch = isObject(properties.desired) ? properties.desired : undefined;
    const tagsPatch = isObject(body.tags) ? body.tags : undefined;
    if (desiredPatch) this.setDesired(replace ? withoutNulls(desiredPatch) : mergePatch(this.desired, desiredPatch));
    if (replace) this.tags = withoutNulls(tagsPatch ?? {});
    else if (tagsPatch) this.tags = mergePatch(this.tags, tagsPatch);
    if (tagsPatch || replace) this.touch();
  }

  document(): Json {
    if (this.cached) return this.cached;
    const doc: Json = {
      deviceId: this.owner.deviceId,
      ...(this.owner.moduleId === undefined ? {} : { moduleId: this.owner.moduleId }),
      etag: this.etag,
      ...this.owner.identityFields(),
      version: this.version,
      tags: this.tags,
      properties: {
        desired: { ...this.desired, $metadata: { $lastUpdated: this.desiredUpdated }, $version: this.desiredVersion },
        reported: { ...this.reported, $metadata: { $lastUpdated: this.reportedUpdated }, $version: this.reportedVersion },
      },
    };
    if (Object.keys(this.configurations).length) doc.configurations = this.configurations;
    this.cached = doc;
    return doc;
  }
}
