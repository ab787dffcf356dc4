#!/usr/bin/env node
// Builds the web console (web/) into dist/console/: one ES module bundle with
// Preact, one stylesheet, the page. Served by the `console` function. Types
// are checked by `tsc -p web/tsconfig.json` in `npm run build`; esbuild only bundles.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'console');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'web', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  outdir: out,
  logLevel: 'warning',
});
await build({ entryPoints: { app: join(root, 'web', 'styles.css') }, bundle: true, minify: true, outdir: out, logLevel: 'warning' });
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
