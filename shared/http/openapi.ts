// Builds the OpenAPI 3.1 document from the same zod schemas that validate
// requests and shape responses (zod 4 emits JSON Schema 2020-12, which is
// OpenAPI 3.1's dialect). Schemas with a `.meta({ id })` become components.
import { z } from 'zod';
import { MAX_JSON_DEPTH, MAX_JSON_NUMBER } from '../domain/json/limits';
import { MAX_YAML_ALIASES } from './body';
import { problemSchema } from './problem';

/** What every request body is held to (shared/http/body.ts); stated on each body in the document. */
export const BODY_LIMITS_TEXT =
  `Every body is held to limits before it is read further: objects and arrays nested at most ${MAX_JSON_DEPTH} levels ` +
  `(JSON text inside a string, such as createOptions, too), numbers finite and at most ${MAX_JSON_NUMBER} in magnitude, ` +
  `no \`__proto__\` key, and in YAML at most ${MAX_YAML_ALIASES} alias expansions; otherwise 400 BodyLimitExceeded with a pointer to the field.`;

/** Answers any operation of a kind can give, added where an operation does not list its own. */
const GENERIC_RESPONSES: Record<'pathParameters' | 'body' | 'storage', Record<number, string>> = {
  pathParameters: { 400: 'A path parameter is not valid (InvalidPathParameter names it), or the request is not valid' },
  body: { 400: 'The body is not valid or outside the limits; errors[] points at the field', 413: 'The body is larger than the size limit', 415: 'The Content-Type is not accepted here' },
  storage: { 503: 'Storage or a hub is unavailable for now; Retry-After says when to try again' },
};

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface ApiOperation {
  readonly operationId: string;
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
  /** OpenAPI path template under /api, e.g. `/deployments/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly auth: AuthLevel;
  readonly query?: z.ZodObject;
  readonly headers?: readonly { readonly name: string; readonly required: boolean; readonly description: string }[];
  readonly requestBody?: { readonly contentTypes: readonly string[]; readonly schema: z.ZodType; readonly description?: string };
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType }>>;
  /** false: the operation touches no storage or hub (no 503). */
  readonly usesStorage?: boolean;
}

/** The responses of `op` plus the generic ones it can give and does not list. */
export function responsesOf(op: ApiOperation): ApiOperation['responses'] {
  const generic: Record<number, string> = {
    ...(op.path.includes('{') ? GENERIC_RESPONSES.pathParameters : {}),
    ...(op.requestBody ? GENERIC_RESPONSES.body : {}),
    ...(op.usesStorage === false ? {} : GENERIC_RESPONSES.storage),
  };
  const added = Object.fromEntries(Object.entries(generic).map(([status, description]) => [status, { description, schema: problemSchema }]));
  return { ...added, ...op.responses };
}

type JsonSchema = Record<string, unknown>;

class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Converts a schema; its `$defs` become shared components, refs are rewritten to point there. */
  add(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
    const { $defs, $schema: _ignored, ...root } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const rename = new Map<string, string>();
    for (const [id, def] of Object.entries($defs ?? {})) {
      const existing = this.schemas[id];
      // The same id seen from the other direction (defaults make input and output differ) gets its own name.
      const asStored = JSON.stringify(def).replace(/"#\/\$defs\//g, '"#/components/schemas/');
      const name = existing && JSON.stringify(existing) !== asStored ? `${id}${io === 'input' ? 'Input' : 'Output'}` : id;
      rename.set(id, name);
      this.schemas[name] = def;
    }
    const fix = (node: JsonSchema): JsonSchema =>
      JSON.parse(JSON.stringify(node).replace(/"#\/\$defs\/([^"]+)"/g, (_, id: string) => `"#/components/schemas/${rename.get(id) ?? id}"`)) as JsonSchema;
    for (const name of rename.values()) this.schemas[name] = fix(this.schemas[name]!);
    return fix(root);
  }
}

export function openApiDocument(operations: readonly ApiOperation[], info: { title: string; version: string; description: string }): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    if (op.query) {
      const shape = components.add(op.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(shape.properties ?? {})) {
        const { description, ...rest } = schema;
        parameters.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
      }
    }
    for (const h of op.headers ?? []) parameters.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } });
    const responses = Object.fromEntries(
      Object.entries(responsesOf(op)).map(([status, r]) => {
        const problem = Number(status) >= 400;
        return [
          status,
          { description: r.description, ...(r.schema ? { content: { [problem ? 'application/problem+json' : 'application/json']: { schema: components.add(r.schema, 'output') } } } : {}) },
        ];
      }),
    );
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: op.auth === 'anonymous' ? [] : [{ [op.auth === 'admin' ? 'masterKey' : 'functionKey']: [] }, { [op.auth === 'admin' ? 'masterKeyQuery' : 'functionKeyQuery']: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(op.requestBody
        ? {
            requestBody: {
              required: true,
              description: op.requestBody.description ? `${op.requestBody.description} ${BODY_LIMITS_TEXT}` : BODY_LIMITS_TEXT,
              content: Object.fromEntries(op.requestBody.contentTypes.map((t) => [t, { schema: components.add(op.requestBody!.schema, 'input') }])),
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/api' }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
        masterKey: { type: 'apiKey', in: 'header', name: 'x-functions-key', description: 'The host master key' },
        masterKeyQuery: { type: 'apiKey', in: 'query', name: 'code', description: 'The host master key' },
      },
    },
  };
}
