// npm run bench:coldstart — a cold start of the function app against a bare @azure/functions app, each in a
// fresh Node process, alternated in one run (N of each). The time measured is the import: from the first line
// of the child to every functions/*.js loaded and registered (Node's own start-up is the same for both and is
// reported apart as the whole process's wall time). Lazy loading (issue 18) keeps every SDK out of the import;
// the line also says what the first use of storage and of the hubs then costs, since that is where it moved.
// Target: cold_import_ratio <= 2.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { coldstartEnv } from './coldstartEnv';

const N = 12;
const child = join(__dirname, 'coldstartChild.js');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Run {
  readonly importMs: number;
  readonly sdks: string[];
  readonly storageMs?: number;
  readonly fleetMs?: number;
  readonly allMs?: number;
  readonly afterStorage?: string[];
  readonly afterFleet?: string[];
  wallMs: number;
}

function coldStart(mode: 'app' | 'bare'): Run {
  const started = performance.now();
  const out = execFileSync(process.execPath, [child, mode], { env: coldstartEnv(), encoding: 'utf8' });
  const run = JSON.parse(out.trim().split('\n').at(-1)!) as Run;
  run.wallMs = performance.now() - started;
  return run;
}

function main(): void {
  coldStart('app'); // the first run warms the OS file cache for both
  coldStart('bare');
  const app: Run[] = [];
  const bare: Run[] = [];
  for (let i = 0; i < N; i++) {
    if (i % 2) {
      bare.push(coldStart('bare'));
      app.push(coldStart('app'));
    } else {
      app.push(coldStart('app'));
      bare.push(coldStart('bare'));
    }
  }
  const a = median(app.map((r) => r.importMs));
  const b = median(bare.map((r) => r.importMs));
  const aw = median(app.map((r) => r.wallMs));
  const bw = median(bare.map((r) => r.wallMs));
  const sdks = [...new Set(app.flatMap((r) => r.sdks))];
  console.log(`app import:  median ${a.toFixed(0)} ms (${app.map((r) => r.importMs.toFixed(0)).join(', ')}); SDKs loaded by the import: ${sdks.join(', ') || 'none'}`);
  console.log(`bare import: median ${b.toFixed(0)} ms (${bare.map((r) => r.importMs.toFixed(0)).join(', ')})`);
  console.log(`whole process: app ${aw.toFixed(0)} ms, bare ${bw.toFixed(0)} ms (Node start-up included)`);
  const first = app[0]!;
  console.log(`first use after import: storage ${median(app.map((r) => r.storageMs!)).toFixed(0)} ms (loads ${first.afterStorage!.join(', ')}), hubs ${median(app.map((r) => r.fleetMs!)).toFixed(0)} ms more (then ${first.afterFleet!.join(', ')}), reconciler ${median(app.map((r) => r.allMs!)).toFixed(0)} ms more`);
  console.log(
    `BENCH coldstart cold_import_ratio=${(a / b).toFixed(2)} app_import_ms=${a.toFixed(0)} bare_import_ms=${b.toFixed(0)} process_ratio=${(aw / bw).toFixed(2)} sdks_at_import=${sdks.length}` +
      ` first_storage_ms=${median(app.map((r) => r.storageMs!)).toFixed(0)} first_hubs_ms=${median(app.map((r) => r.fleetMs!)).toFixed(0)} n=${N} target_ratio=2`,
  );
}

main();
