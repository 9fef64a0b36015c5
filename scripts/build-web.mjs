// Bundles the browser component (web/src) for the spawn page, if it exists yet.
import { existsSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const entry = 'web/src/index.ts';
if (existsSync(entry)) {
  mkdirSync('web/dist', { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    outfile: 'web/dist/spawn-doctor.js',
    logLevel: 'warning',
  });
}
