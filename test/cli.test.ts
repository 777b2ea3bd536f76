import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vgsim } from './support/cli.ts';

describe('vgsim CLI', () => {
  it('run --json prints exactly one JSON document with the contract fields', () => {
    const r = vgsim(['run', 'scenarios/default.yaml', '--json', '--set', 'duration=2h']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.requests.arrived).toBeGreaterThan(0);
    for (const k of ['requests', 'latency_s', 'queue_wait_s', 'slo_attainment', 'throughput_per_h', 'gpu_utilization', 'sim_time_s']) expect(doc).toHaveProperty(k);
    for (const k of ['mean', 'p50', 'p90', 'p95', 'p99', 'max']) expect(doc.latency_s).toHaveProperty(k);
  });

  it('run --json is byte-identical between identical runs; the wall time only with --timings', () => {
    // it carried "wall_time_s" (0.157 then 0.216 for the same scenario and seed), so no two runs' JSON matched
    const args = ['run', 'scenarios/default.yaml', '--json', '--set', 'duration=1h'];
    const a = vgsim(args);
    const b = vgsim(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toMatch(/wall/);
    const timed = vgsim([...args, '--timings']);
    expect(timed.code).toBe(0);
    const doc = JSON.parse(timed.stdout);
    expect(doc.timings.wall_s).toBeGreaterThan(0);
    const { timings: _t, ...rest } = doc;
    expect(JSON.stringify(rest, null, 2)).toBe(JSON.stringify(JSON.parse(a.stdout), null, 2));
    const bare = vgsim(['run', 'scenarios/default.yaml', '--timings', '--set', 'duration=1h']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--timings adds the wall time to the --json document');
  });

  it('run --out writes summary, per-request records and time series', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-'));
    const r = vgsim(['run', 'scenarios/default.yaml', '--out', dir, '--set', 'duration=1h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/requests: \d+ arrived/);
    for (const f of ['summary.json', 'requests.csv', 'timeseries.csv', 'scenario.json']) expect(existsSync(join(dir, f))).toBe(true);
    const csv = readFileSync(join(dir, 'requests.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,class,state,latency_s,wait_s,slo_s,slo_met,pool,replica,arrival_s,start_s,finish_s,retries,reason');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    // every request, the ones still in flight included
    expect(csv.length - 1).toBe(summary.requests.arrived);
    // the README's list of what out/default/ holds is what --out writes (it named no charts/ folder)
    const listed = /`out\/default\/` holds ([\s\S]*?)\n\n/.exec(readFileSync('README.md', 'utf8'))![1]!;
    const names = [...listed.matchAll(/`([\w.]+\/?)`/g)].map((m) => m[1]!.replace(/\/$/, ''));
    expect(names.sort()).toEqual(readdirSync(dir).sort());
  });

  it('the README\'s Node version is package.json\'s engines.node', () => {
    const engines = JSON.parse(readFileSync('package.json', 'utf8')).engines.node as string;
    expect(engines).toMatch(/^>=\d+(\.\d+)*$/);
    expect(readFileSync('README.md', 'utf8')).toContain(`Node ≥ ${engines.slice(2)} is all you need`);
  });

  it('a broken scenario exits 2 with file:line errors and no stack trace', () => {
    const r = vgsim(['run', 'test/fixtures/bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/test\/fixtures\/bad\.yaml:18:7 +workload\.mix\.0\.frmaes: unknown field "frmaes" \(did you mean "frames"\?\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a missing file and a bad flag are clean errors', () => {
    const missing = vgsim(['run', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml +file not found/);
    const flag = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--dtype', 'int4']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--dtype expects one of bf16, fp8/);
    const gpu = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-smx']);
    expect(gpu.code).toBe(2);
    expect(gpu.stderr).toMatch(/did you mean "h100-sxm"/);
  });

  it('--host-dispatch-us sets the host\'s eager cost per kernel (a small, host-bound request slows with it)', () => {
    const args = ['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--resolution', '480x272', '--frames', '17', '--steps', '8', '--json'];
    const base = JSON.parse(vgsim(args).stdout);
    const slow = vgsim([...args, '--host-dispatch-us', '47']);
    expect(slow.code).toBe(0);
    const s = JSON.parse(slow.stdout);
    expect(s.profile.host_dispatch_us).toBe(47);
    expect(s.forward_s / base.forward_s).toBeGreaterThan(1.9);
    const bad = vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--host-dispatch-us', '-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--host-dispatch-us expects a number >= 0.001/);
  });

  it('validate reports ok and FAIL per file', () => {
    const r = vgsim(['validate', 'scenarios/default.yaml', 'test/fixtures/bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/ok +scenarios\/default\.yaml/);
    expect(r.stdout).toMatch(/FAIL +test\/fixtures\/bad\.yaml/);
  });

  it('validate runs a sweep file\'s base checks too: ok, with a note when `vgsim run` of it would stop; the library\'s gpu-fit.yaml runs', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-'));
    const file = join(d, 'sweep.yaml');
    writeFileSync(file, [
      'name: s', 'model: wan2.2-t2v-a14b', 'duration: 1h', 'cluster: {nodes: [{type: hgx-h100-sxm-8, count: 1}]}', 'deployment: {name: a, replicas: 1}',
      'workload: {arrivals: {process: poisson, rate_per_hour: 1}, mix: [{name: v, resolution: 1280x720, frames: 81}]}',
      'sweep: {variants: [{name: offload, set: {inference.offload: true}}]}', '',
    ].join('\n'));
    const r = vgsim(['validate', file, 'scenarios/gpu-fit.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok +.*sweep\.yaml\n +note: a sweep whose base scenario does not run by itself \(`vgsim run` of it stops: .*OOM.*\); each sweep point is checked as it runs\nok +scenarios\/gpu-fit\.yaml\n$/);
    expect(vgsim(['run', 'scenarios/gpu-fit.yaml', '--json']).code).toBe(0);
  });

  it('two values after one repeatable flag: commander\'s "too many arguments" and a hint to repeat the flag (any collect flag)', () => {
    const c = vgsim(['calibrate', 'fit.csv', '--scenario', 's.yaml', '--validate', 'a.csv', 'b.csv']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/too many arguments for 'calibrate'/);
    expect(c.stderr).toMatch(/^hint: --validate takes one value each time; to give several, repeat it: --validate a\.csv --validate b\.csv$/m);
    const r = vgsim(['run', 'scenarios/default.yaml', '--set=duration=1h', 'seed=3']);
    expect(r.stderr).toMatch(/^hint: --set takes one value each time; to give several, repeat it: --set duration=1h --set seed=3$/m);
    expect(vgsim(['run', 'a.yaml', 'b.yaml']).stderr).not.toMatch(/hint:/);
  });

  it('--help shows a default once and a number as a number: no "(default: ...) (default: \".\")", "(default: \"3\")" or "(default: [])"', () => {
    const serve = vgsim(['serve', '--help']).stdout.replace(/\s+/g, ' ');
    expect(serve).toContain('(default: the current directory) --max-body');
    expect(serve).toContain('(default: 8080)');
    const size = vgsim(['size', '--help']).stdout.replace(/\s+/g, ' ');
    expect(size).toContain('(default: 64)');
    expect(size).toContain('(default: 300)');
    for (const cmd of ['serve', 'size', 'run', 'capacity', 'calibrate', 'validate']) {
      const text = vgsim([cmd, '--help']).stdout.replace(/\s+/g, ' ');
      expect(text, cmd).not.toMatch(/\(default: "-?\d+(\.\d+)?"\)|\(default: \[\]\)|\(default: [^)]*\) \(default:/);
    }
  });

  it('every command has --help with examples, and --version works', () => {
    for (const cmd of ['run', 'validate', 'list', 'estimate']) {
      const r = vgsim([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
    }
    const v = vgsim(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('list prints the catalogs', () => {
    const g = vgsim(['list', 'gpus']);
    expect(g.stdout).toMatch(/h100-sxm .*measured/);
    const m = vgsim(['list', 'models', '--json']);
    expect(JSON.parse(m.stdout).map((x: { id: string }) => x.id)).toContain('wan2.2-t2v-a14b');
    expect(vgsim(['list', 'scenarios']).stdout).toMatch(/scenarios\/default\.yaml/);
    expect(vgsim(['list', 'gpu']).stderr).toMatch(/did you mean "gpus"/);
  });

  it('estimate --profile with a missing or foreign file exits 2 naming the file, never 1', () => {
    for (const [file, why] of [['no-such-profile.json', /file not found/], ['package.json', /not a vgsim GPU profile/], ['README.md', /cannot read the GPU profile: Unexpected token/]] as const) {
      const r = vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--profile', file]);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^${file.replace('.', '\\.')}  profile: `, 'm'));
      expect(r.stderr).toMatch(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('estimate --nodes beyond the replica\'s GPUs exits 2 with the bound', () => {
    const r = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--parallel', 'ulysses=8,fsdp', '--gpus', '8', '--nodes', '16']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nodes 16: a replica of 8 GPUs spans at most 8 nodes/);
  });

  it('estimate --json follows the contract', () => {
    const r = vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '832x480', '--offload', '--json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    for (const k of ['forward_s', 'step_s', 'denoise_s', 'text_encode_s', 'vae_decode_s', 'total_s', 'peak_memory_gb', 'fits', 'stages', 'ops']) expect(e).toHaveProperty(k);
    expect(e.fits).toBe(true);
    expect(e.ops[0]).toHaveProperty('bound');
    expect(e.total_s).toBeGreaterThan(e.denoise_s);
  });
});
