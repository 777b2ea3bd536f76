#!/usr/bin/env node
// vgsim command-line entry: runs the build (dist/cli.js, made by `npm run build`, which `npm install` runs).
// In a clone whose sources are newer than the build (or with VGSIM_FROM_SOURCE=1) it runs the TypeScript
// sources through tsx instead, so an edit is never hidden behind a stale dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'cli.js');
const sources = join(root, 'src');

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function useSources() {
  if (process.env.VGSIM_FROM_SOURCE === '1') return true;
  if (!existsSync(built)) return existsSync(sources);
  // an installed package has no src/; a clone rebuilds with `npm run build`
  return existsSync(sources) && newestSource(sources) > statSync(built).mtimeMs;
}

if (useSources()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(sources, 'cli', 'bin.ts')).href);
} else {
  await import(pathToFileURL(built).href);
}
