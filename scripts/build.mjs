#!/usr/bin/env node
// Build: src/ → dist/ (run by `npm install` in a clone through `prepare`, and by `npm run build`).
//
// - JavaScript: esbuild bundles dist/index.js (the library API, src/index.ts), dist/cli.js (the `vgsim`
//   entry: commander and the table of commands), one self-contained bundle per command under dist/commands/
//   (main.ts imports the one being run, so `vgsim --version` loads commander alone and `vgsim estimate`
//   never loads the simulator's reports or the sweep pool) and dist/sweep-worker.js (the piscina worker).
//   Dependencies stay external (node_modules); vega, vega-lite and resvg are imported on first use.
//   Why esbuild and not tsc: tsc emits one .js and one .d.ts per source file (two files for each of
//   several hundred sources, many times the package's 60-file budget) and every module file costs start-up time; esbuild's code
//   splitting made 40+ chunk files, so each command is one file instead (shared code is repeated across
//   command bundles; only one is loaded per process). esbuild builds in about a second.
// - Types: dts-bundle-generator rolls the declarations of src/index.ts into dist/index.d.ts (esbuild does
//   not emit declarations). `npm test` type-checks the sources with tsc; this step only writes types.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const t0 = performance.now();
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const commands = readdirSync(join(root, 'src', 'cli', 'commands')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
// main.ts imports './commands/<name>.ts' lazily: in the build that is dist/commands/<name>.js, a bundle of its own
const commandsExternal = {
  name: 'commands-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[\w-]+\.ts$/ }, (a) => (a.importer.endsWith(join('cli', 'main.ts')) ? { path: a.path.replace(/\.ts$/, '.js'), external: true } : undefined));
  },
};
await build({
  absWorkingDir: root,
  entryPoints: {
    index: 'src/index.ts',
    cli: 'src/cli/bin.ts',
    'sweep-worker': 'src/sweep/worker.ts',
    ...Object.fromEntries(commands.map((c) => [`commands/${c}`, `src/cli/commands/${c}.ts`])),
  },
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [commandsExternal],
});

const noTypes = process.argv.includes('--no-types');
if (!noTypes) {
  const bin = join(root, 'node_modules', 'dts-bundle-generator', 'dist', 'bin', 'dts-bundle-generator.js');
  execFileSync(process.execPath, [bin, '--silent', '--no-check', '--project', 'tsconfig.build.json', '-o', 'dist/index.d.ts', 'src/index.ts'], { cwd: root, stdio: 'inherit' });
}

const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(dist);
const kb = files.reduce((s, f) => s + statSync(f).size, 0) / 1024;
process.stderr.write(`build: ${files.length} files in dist/ (${kb.toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
