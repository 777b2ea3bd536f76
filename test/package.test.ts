// The packed package, as a user installs it: `npm pack` (the files list), unpacked into a temporary
// project's node_modules/vgsim, its dependencies linked from this checkout's node_modules (no network),
// then `import { estimate } from 'vgsim'` and the `vgsim` binary run from another folder.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'vgsim-pack-'));
const project = join(work, 'project');
let files: string[] = [];

beforeAll(() => {
  // CI builds dist/ at `npm install` (prepare); a checkout without it builds here
  if (!existsSync(join(repo, 'dist', 'index.js')) || !existsSync(join(repo, 'dist', 'index.d.ts'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo, encoding: 'utf8' });
  const info = JSON.parse(out)[0] as { filename: string; files: { path: string }[] };
  files = info.files.map((f) => f.path);
  const nm = join(project, 'node_modules');
  mkdirSync(join(nm, 'vgsim'), { recursive: true });
  execFileSync('tar', ['-xzf', join(work, info.filename), '-C', join(nm, 'vgsim'), '--strip-components=1']);
  for (const dep of readdirSync(join(repo, 'node_modules'))) {
    if (dep === 'vgsim' || dep.startsWith('.')) continue;
    symlinkSync(join(repo, 'node_modules', dep), join(nm, dep));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('is lean: ≤ 60 files, what runs only (no tests, sources, Python, benchmarks)', () => {
    expect(files.length).toBeLessThanOrEqual(60);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'bin/vgsim.js', 'web/index.html', 'scenario.schema.json', 'scenarios/default.yaml', 'calibration/profiles/h100-sxm.json', 'assets/fonts/DejaVuSans.ttf', 'examples/grafana/vgsim-dashboard.json']));
    for (const f of files) expect(f).not.toMatch(/^(test|src|bench|notebooks|docs|scripts|baselines)\/|\.py$|\.ts$(?<!\.d\.ts)/);
  });

  it('import { estimate } from "vgsim" works from a user project, and matches the CLI', () => {
    const code = `import { estimate, VERSION, validateScenario, libraryScenarios } from 'vgsim';
      const e = estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '1280x720', inference: { offload: true } });
      console.log(JSON.stringify({ total: e.total_s, version: VERSION, lib: libraryScenarios().length, issues: validateScenario('node_modules/vgsim/scenarios/default.yaml').length }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout);
    const cli = JSON.parse(execFileSync(process.execPath, ['bin/vgsim.js', 'estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '1280x720', '--offload', '--json'], { cwd: repo, encoding: 'utf8' }));
    expect(got.total).toBe(cli.total_s);
    expect(got.version).toBe(JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: repo, encoding: 'utf8' })).version);
    expect(got.lib).toBeGreaterThan(5);
    expect(got.issues).toBe(0);
  });

  it('the README\'s library example runs against the packed package', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const code = /<!-- library-example -->\n```js\n([\s\S]*?)```/.exec(readme)![1]!;
    writeFileSync(join(project, 'example.mjs'), code);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    // the same estimate from the sources, by the CLI: the packed library must print exactly its numbers
    const cli = JSON.parse(execFileSync(process.execPath, ['bin/vgsim.js', 'estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '1280x720', '--offload', '--json'], { cwd: repo, encoding: 'utf8' }));
    const first = `one 720P video: ${(cli.total_s / 60).toFixed(1)} min, peak ${cli.memory.phases[1].peak_gb.toFixed(1)} GB`;
    expect(r.stdout.split('\n')[0]).toBe(first);
    expect(r.stdout).toMatch(/\n\d+ videos, p95 [\d.]+ min\n$/);
  });

  it('the installed binary finds the scenario library and calibration data from any folder', () => {
    const bin = join(project, 'node_modules', 'vgsim', 'bin', 'vgsim.js');
    const list = spawnSync(process.execPath, [bin, 'list', 'scenarios'], { cwd: work, encoding: 'utf8' });
    expect(list.stdout).toMatch(/scenarios\/default\.yaml/);
    const run = spawnSync(process.execPath, [bin, 'run', 'default', '--set', 'duration=1h', '--json'], { cwd: work, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).requests.arrived).toBeGreaterThan(0);
  });
});
