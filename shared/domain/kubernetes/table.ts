// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, so `kubectl get`
// shows our columns (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables).

type Obj = Record<string, unknown>;

export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly description: string;
  /** 0: always shown; 1: only with -o wide. */
  readonly priority?: number;
  readonly format?: string;
}

export const wantsTable = (accept: string | null) => !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

/** The apiserver's age format (k8s.io/apimachinery/pkg/util/duration.HumanDuration), coarsened. */
export function age(since: string, now = new Date()): string {
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function table(columns: readonly Column[], objects: readonly Obj[], cells: (o: Obj) => unknown[], options: { includeObject?: string | null; resourceVersion?: string; continueToken?: string }): Obj {
  const include = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion ?? '', ...(options.continueToken ? { continue: options.continueToken } : {}) },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
    rows: objects.map((o) => ({
      cells: cells(o),
      ...(include === 'None' ? {} : { object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}

export const NAME_COLUMN: Column = { name: 'Name', type: 'string', format: 'name', description: 'metadata.name' };
export const AGE_COLUMN: Column = { name: 'Age', type: 'string', description: 'Time since creation' };
