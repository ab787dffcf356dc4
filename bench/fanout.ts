// npm run bench:fanout — one deployment fanned out to 10 hubs, each answering
// with 100 ms of injected latency, against the same deployment to one hub, in
// the same run. The ratio shows whether hubs are synced in parallel (target <= 1.5).
import { type AppStack, startAppStack } from '../test/helpers/appStack';

const HUBS = 10;
const LATENCY_MS = 100;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeCreate(stack: AppStack, id: string, hubNames: string[]): Promise<number> {
  const started = performance.now();
  const res = await stack.api('deployments', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id,
      target: { selector: { env: 'prod' } },
      hubSelector: { names: hubNames },
      manifest: { modules: { web: { image: 'nginx:1.25' } } },
    }),
  });
  const elapsed = performance.now() - started;
  if (res.status !== 201) throw new Error(`create ${id} answered ${res.status}: ${await res.text()}`);
  return elapsed;
}

async function main(): Promise<void> {
  const hubs = Array.from({ length: HUBS }, (_, i) => ({ name: `hub${String(i).padStart(2, '0')}`, region: `region-${i}`, labels: { bench: 'fanout' } }));
  const stack = await startAppStack({ iothub: { hubs, fleet: 5 } });
  try {
    for (const hub of hubs) {
      await fetch(`${stack.iothub.adminUrl}/admin/hubs/${hub.name}`, { method: 'PATCH', body: JSON.stringify({ latencyMs: LATENCY_MS }) });
    }
    await timeCreate(stack, 'warmup', hubs.map((h) => h.name)); // TLS sessions, tables, JIT
    const one: number[] = [];
    const all: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      one.push(await timeCreate(stack, `single-${round}`, [hubs[round % HUBS]!.name]));
      all.push(await timeCreate(stack, `all-${round}`, hubs.map((h) => h.name)));
    }
    const t1 = median(one);
    const t10 = median(all);
    console.log(`one hub:  median ${t1.toFixed(0)} ms over ${ROUNDS} creates (${one.map((t) => t.toFixed(0)).join(', ')})`);
    console.log(`${HUBS} hubs: median ${t10.toFixed(0)} ms over ${ROUNDS} creates (${all.map((t) => t.toFixed(0)).join(', ')})`);
    console.log(`each hub call waits ${LATENCY_MS} ms; a create makes 2 calls per hub (list, create) plus its table writes`);
    console.log(`BENCH fanout ratio=${(t10 / t1).toFixed(2)} single_hub_ms=${t1.toFixed(0)} all_hubs_ms=${t10.toFixed(0)} hubs=${HUBS} latency_ms=${LATENCY_MS} target_ratio=1.5`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
