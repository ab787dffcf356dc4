// A bounded, seeded property-based run over every operation of GET /api/openapi.json,
// through the local host with Azurite and the IoT Hub simulator: no answer is a 5xx,
// every status is one the document lists for the operation, and every JSON answer
// fits the document's own response schema. Seed and case count are fixed (FUZZ_SEED,
// FUZZ_RUNS override them) so a failure replays exactly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { type AppStack, startAppStack } from '../../helpers/appStack';

const SEED = Number(process.env.FUZZ_SEED ?? 16);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
}

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('fuzz-target', 'a/b', '__proto__', 'weu', '*', '"r1"', 'abc', 'eyJ4IjoxfQ'));
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ id: fc.constantFrom('fuzz-new', 'fuzz-target', 'Bad Id'), hubSelector: fc.constant({}), target: fc.constant({ condition: "tags.env='fuzz'" }), manifest: fc.record({ modules: fc.dictionary(fc.constantFrom('m', '__proto__'), fc.record({ image: fc.constantFrom('nginx:1.25', ''), createOptions: fc.jsonValue({ maxDepth: 3 }) })) }) }),
);

describe('OpenAPI fuzz (seeded, bounded)', () => {
  let stack: AppStack;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
  before(async () => {
    stack = await startAppStack();
    doc = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as typeof doc;
    await stack.api('deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'fuzz-target', hubSelector: {}, target: { condition: "tags.env='fuzz'" }, manifest: { modules: { m: { image: 'nginx:1.25' } } } }) });
  });
  after(async () => stack.stop());

  it(`answers every operation without a 5xx and within its documented responses (seed ${SEED}, ${RUNS} cases)`, async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const validators = new Map<string, ReturnType<typeof ajv.compile>>();
    const validatorFor = (key: string, schema: unknown) => {
      let v = validators.get(key);
      if (!v) validators.set(key, (v = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')) as object)));
      return v;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    assert.ok(operations.length >= 20, 'every operation is fuzzed');
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), fc.dictionary(fc.constantFrom('id', 'hub', 'deviceId', 'provider'), text), fc.dictionary(fc.constantFrom('pageSize', 'continuationToken', 'labelSelector', 'state', 'revision', 'dryRun'), text, { maxKeys: 2 }), json, fc.constantFrom('application/json', 'application/yaml', 'application/merge-patch+json', 'text/plain'), fc.option(fc.constantFrom('*', '"r1"', 'nope')), async ({ path, method, op }, params, query, body, contentType, ifMatch) => {
        const url = new URL(`${stack.baseUrl}${path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? 'fuzz-target'))}`);
        for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
        const headers: Record<string, string> = { 'x-functions-key': method === 'post' && path === '/reconcile' ? stack.keys.masterKey : stack.keys.functionKey };
        if (ifMatch) headers['if-match'] = ifMatch;
        const init: RequestInit = { method: method.toUpperCase(), headers };
        if (op.requestBody) {
          headers['content-type'] = contentType;
          init.body = JSON.stringify(body);
        }
        const response = await fetch(url, init);
        const status = String(response.status);
        const answer = await response.text();
        const where = `${method.toUpperCase()} ${url.pathname}${url.search} -> ${status}`;
        if (response.status >= 500) failures.push(`${where}: ${answer.slice(0, 200)}`);
        const documented = op.responses[status];
        if (!documented) failures.push(`${where}: status not documented`);
        const schema = documented?.content && Object.values(documented.content)[0]?.schema;
        if (schema && answer) {
          const validate = validatorFor(`${path} ${method} ${status}`, schema);
          if (!validate(JSON.parse(answer))) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    assert.deepEqual(failures, []);
  });
});
