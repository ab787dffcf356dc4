// npm run bench:pushes — what one registry push costs the storage, with and without the repository index: 300
// deployments (revisions of ~24 KB: env values filling most of $edgeAgent's 32 KB), 3 of them follow the pushed
// repository. The push is a dry run (the plan only), so both runs do the same work apart from finding candidates.
// Storage is real (Azurite); table requests and response bytes are counted at the SDK's pipeline.
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { startAzurite } from '../local/azurite';
import { tableDeploymentStore } from '../shared/adapters/tables/tableDeploymentStore';
import { tableRepositoryIndex } from '../shared/adapters/tables/tableRepositoryIndex';
import { createDeployment } from '../shared/services/deployments/deploymentsService';
import { applyPushes, type PushDeps } from '../shared/services/registry/applyPushes';
import { indexedDeploymentStore } from '../shared/services/registry/indexedDeploymentStore';
import { memoryFleet, MemoryHub } from '../test/helpers/memoryHub';
import { buildConfiguration } from '../test/helpers/revisions';

const DEPLOYMENTS = Number(process.env.BENCH_PUSHES_DEPLOYMENTS ?? 300);
const FOLLOWERS = 3;
const REPOSITORY = 'fleetacr.azurecr.io/edge/sensor';

let requests = 0;
let bytes = 0;
type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];
const counting: PipelinePolicy = {
  name: 'countRequests',
  sendRequest: async (request, next) => {
    requests++;
    const response = await next(request);
    bytes += response.bodyAsText ? Buffer.byteLength(response.bodyAsText) : 0;
    return response;
  },
};

async function main() {
  const azurite = await startAzurite();
  try {
    const client = (table: string) => TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true, additionalPolicies: [{ policy: counting, position: 'perCall' }] });
    const index = tableRepositoryIndex(client('imagerepositories'));
    const deps: PushDeps = {
      store: indexedDeploymentStore(tableDeploymentStore(client('deployments')), index),
      repositoryIndex: index,
      fleet: memoryFleet([new MemoryHub('weu')]),
      hubSettings: [{ name: 'weu', region: 'westeurope', labels: {}, connection: 'weu.azure-devices.net', units: 1 }],
      configurationFor: buildConfiguration,
      registryCredentialNames: [],
    };
    const env = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`BLOB_${i}`, 'x'.repeat(3900)]));
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const image = i < FOLLOWERS ? `${REPOSITORY}:1.4.2` : `fleetacr.azurecr.io/edge/app-${i}:1.0.0`;
      const body = { id: `app-${i}`, target: { selector: { env: 'prod' } }, hubSelector: { names: ['weu'] }, manifest: { modules: { m: { image, env, updatePolicy: { type: 'semver', level: 'patch' } } } } };
      await createDeployment(deps, JSON.stringify(body), 'application/json');
    }
    const push = async (dryRun: boolean, tag: string) => {
      [requests, bytes] = [0, 0];
      const started = performance.now();
      const report = await applyPushes(deps, { provider: 'generic', deliveryId: `d-${tag}`, pushes: [{ repository: REPOSITORY, tag, deliveryId: `d-${tag}` }] }, { dryRun });
      if (report.changes.length !== (tag === '0.0.1' ? 0 : FOLLOWERS)) throw new Error(`planned ${report.changes.length} changes`);
      return { ms: Math.round(performance.now() - started), requests, kb: Math.round(bytes / 1024) };
    };
    const scan = await push(true, '1.4.3'); // no completeness marker yet: the full scan
    await push(false, '0.0.1'); // a push nobody takes builds the index
    const indexed = await push(true, '1.4.3');
    console.log(`scan: ${scan.ms} ms, ${scan.requests} table requests, ${scan.kb} KB read; index: ${indexed.ms} ms, ${indexed.requests} requests, ${indexed.kb} KB read`);
    console.log(`BENCH pushes deployments=${DEPLOYMENTS} followers=${FOLLOWERS} scan_ms=${scan.ms} scan_requests=${scan.requests} scan_kb=${scan.kb} index_ms=${indexed.ms} index_requests=${indexed.requests} index_kb=${indexed.kb}`);
  } finally {
    await azurite.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
