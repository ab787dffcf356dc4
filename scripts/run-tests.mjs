#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with Node's own test runner.
// `node scripts/run-tests.mjs unit` or `... integration` narrows to one folder;
// further arguments are substrings a test file's path must contain.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(process.cwd(), 'dist', 'test');
if (!existsSync(root)) {
  console.error('dist/test is missing: run `npm run build` first.');
  process.exit(2);
}
const [kind, ...filters] = process.argv.slice(2);
const base = kind === 'unit' || kind === 'integration' ? join(root, kind) : root;
const extra = kind === 'unit' || kind === 'integration' ? filters : [kind, ...filters].filter(Boolean);

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}
const files = collect(base)
  .filter((f) => extra.every((x) => relative(root, f).includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${relative(process.cwd(), base)} match ${extra.join(' ') || '(all)'}`);
  process.exit(1);
}
// Two cores on CI: integration files start their own Azurite and simulators,
// so more than two at once only makes them fight for CPU.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
