// npm run bench:status — GET .../status of a deployment on 3 hubs against one on 30 hubs, in the same run and
// the same local stack (local host + Azurite + IoT Hub simulator with 30 hubs), concurrency 50, alternated in
// rounds so drift in the machine's load hits both sizes alike. Table requests are counted by an HTTP proxy in
// front of Azurite's table endpoint (the app's own @azure/data-tables clients talk to it). Before the first
// reconcile pass the reads are live (the old per-hub path); after it they come from the status summary.
// Targets (issue 18): table_requests_per_status the same at both sizes and <= 4; p99_ratio_30_to_3 <= 1.5.
import { type AppStack, startAppStack } from '../test/helpers/appStack';

const HUBS = Array.from({ length: 30 }, (_, i) => ({ name: `hub${String(i).padStart(2, '0')}`, region: `region-${i}`, labels: { bench: 'status' } }));
const SIZES = [3, 30] as const;
const CONCURRENCY = 50;
const ROUNDS = 4;
const PER_ROUND = 500;
const COUNTED = 20;

const idOf = (hubs: number) => `status-${hubs}`;
const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** One read; the body is parsed only when asked (a console's JSON parse is not the server's cost, and it runs in this process). */
async function readStatus(stack: AppStack, id: string, parse = false): Promise<{ ms: number; source: string }> {
  const started = performance.now();
  const res = await stack.api(`deployments/${id}/status`);
  const body = parse ? ((await res.json()) as { source?: string }) : (await res.arrayBuffer(), {});
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`status ${id} answered ${res.status}`);
  return { ms, source: body.source ?? '?' };
}

/** Table requests per status read, over sequential reads (nothing else runs: timers are manual, ingestion off). */
async function tableRequestsPerStatus(stack: AppStack, id: string): Promise<{ perStatus: number; source: string }> {
  await readStatus(stack, id);
  stack.tableRequests!.reset();
  let source = '';
  for (let i = 0; i < COUNTED; i++) source = (await readStatus(stack, id, true)).source;
  return { perStatus: stack.tableRequests!.count() / COUNTED, source };
}

/** `total` reads with `CONCURRENCY` in flight; latencies in ms. */
async function load(stack: AppStack, id: string, total: number): Promise<{ latencies: number[]; seconds: number; tableRequests: number }> {
  const latencies: number[] = [];
  let next = 0;
  stack.tableRequests!.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < total) latencies.push((await readStatus(stack, id)).ms);
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000, tableRequests: stack.tableRequests!.count() };
}

async function main(): Promise<void> {
  const stack = await startAppStack({ iothub: { hubs: HUBS, fleet: 2 }, settings: { STATUS_SUMMARY_MAX_AGE_SECONDS: '3600' }, countTableRequests: true });
  try {
    for (const n of SIZES) {
      const res = await stack.api('deployments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: idOf(n), target: { selector: { env: 'prod' } }, hubSelector: { names: HUBS.slice(0, n).map((h) => h.name) }, manifest: { modules: { web: { image: 'nginx:1.25' } } } }),
      });
      if (res.status !== 201) throw new Error(`create ${idOf(n)} answered ${res.status}: ${await res.text()}`);
    }
    // One size at a time: the proxy counts every request the app makes.
    const live = [await tableRequestsPerStatus(stack, idOf(3)), await tableRequestsPerStatus(stack, idOf(30))];
    const pass = await stack.api('reconcile', { method: 'POST', key: stack.keys.masterKey });
    if (pass.status !== 200) throw new Error(`reconcile answered ${pass.status}`);
    const summary = [await tableRequestsPerStatus(stack, idOf(3)), await tableRequestsPerStatus(stack, idOf(30))];
    for (const [i, n] of SIZES.entries()) {
      if (live[i]!.source !== 'live' || summary[i]!.source !== 'summary') throw new Error(`${n} hubs: sources ${live[i]!.source} then ${summary[i]!.source}`);
    }
    for (const n of SIZES) await load(stack, idOf(n), 200); // JIT, sockets, caches

    const latencies = new Map<number, number[]>(SIZES.map((n) => [n, []]));
    const seconds = new Map<number, number>(SIZES.map((n) => [n, 0]));
    const underLoad = new Map<number, number>(SIZES.map((n) => [n, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of round % 2 ? [...SIZES].reverse() : SIZES) {
        const r = await load(stack, idOf(n), PER_ROUND);
        latencies.get(n)!.push(...r.latencies);
        seconds.set(n, seconds.get(n)! + r.seconds);
        underLoad.set(n, underLoad.get(n)! + r.tableRequests);
      }
    }
    const figures = SIZES.map((n) => {
      const xs = latencies.get(n)!;
      return { n, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), rps: xs.length / seconds.get(n)!, underLoad: underLoad.get(n)! / xs.length };
    });
    const [few, many] = figures as [(typeof figures)[0], (typeof figures)[0]];
    for (const f of figures) {
      console.log(`${String(f.n).padStart(2)} hubs: ${f.rps.toFixed(0)} status/s, p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms over ${ROUNDS * PER_ROUND} reads at concurrency ${CONCURRENCY}; ${f.underLoad.toFixed(2)} table requests per status under load`);
    }
    console.log(`live reads (before the first pass): ${live.map((l) => l.perStatus.toFixed(1)).join(' / ')} table requests per status at ${SIZES.join(' / ')} hubs`);
    console.log(
      `BENCH status table_requests_per_status=${summary.map((s) => s.perStatus.toFixed(1)).join('/')} p99_ratio_30_to_3=${(many.p99 / few.p99).toFixed(2)}` +
        ` p50_ratio_30_to_3=${(many.p50 / few.p50).toFixed(2)} p99_ms=${few.p99.toFixed(0)}/${many.p99.toFixed(0)} p50_ms=${few.p50.toFixed(0)}/${many.p50.toFixed(0)}` +
        ` status_per_s=${few.rps.toFixed(0)}/${many.rps.toFixed(0)} live_table_requests_per_status=${live.map((l) => l.perStatus.toFixed(1)).join('/')}` +
        ` concurrency=${CONCURRENCY} reads=${ROUNDS * PER_ROUND} target_table_requests=4 target_p99_ratio=1.5`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
