import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVgsimServer } from '../src/serve/server.ts';
import { callerPaths } from '../src/serve/api.ts';
import { packagePath } from '../src/package-files.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/errors.ts';
import { vgsim } from './support/cli.ts';
import { CATALOG_KINDS } from '../src/api/catalog.ts';

let base = '';
const server = createVgsimServer({ scenarioDir: 'test/fixtures', maxBodyBytes: 200_000, maxRequests: 50_000 });
// the CLI children these tests spawn block this process (server and client) for seconds: past the default 5 s
// keep-alive, the server's idle timer and the client's reuse of the socket race (ECONNRESET)
server.keepAliveTimeout = 120_000;
beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r();
})));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() as any };
};

describe('vgsim serve: what an HTTP caller learns from an error', () => {
  it('a problem located in a library scenario names it relative to the package, not by the server\'s install path', async () => {
    const r = await post('/api/run', { file: 'default', set: ['deployment.inference.offload=false'] });
    expect(r.status).toBe(400);
    expect(r.json.issues[0]).toMatchObject({ source: 'scenarios/default.yaml', line: expect.any(Number), path: 'deployment' });
    expect(JSON.stringify(r.json)).not.toContain(packagePath());
  });
  it('callerPaths: the server\'s scenario folder reads user:, the package relative, anything else as it was', () => {
    const issues = callerPaths([{ source: '/srv/scen/a.yaml', path: 'x', message: 'see /srv/scen/b.yaml and ' + packagePath('scenarios/c.yaml'), hint: 'in /elsewhere/d.yaml' }], '/srv/scen');
    expect(issues[0]).toEqual({ source: 'user:a.yaml', path: 'x', message: 'see user:b.yaml and scenarios/c.yaml', hint: 'in /elsewhere/d.yaml' });
  });
});

describe('vgsim serve: JSON API', () => {
  it('POST /api/estimate returns what `vgsim estimate --json` prints', async () => {
    const r = await post('/api/estimate', { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '1280x720', inference: { offload: true } });
    expect(r.status).toBe(200);
    const cli = JSON.parse(vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '1280x720', '--offload', '--json']).stdout);
    expect(r.json).toEqual(cli);
  });

  it('a bad body gets 400 with every problem, a did-you-mean, and no stack trace', async () => {
    const r = await post('/api/estimate', { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolutoin: '1280x720', inference: { dtype: 'int4' } });
    expect(r.status).toBe(400);
    expect(r.json.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'resolutoin', message: 'unknown field "resolutoin"', hint: 'did you mean "resolution"?' }),
      expect.objectContaining({ path: 'inference.dtype', message: 'expected one of "bf16", "fp8", "int8", got "int4"' }),
    ]));
    expect(JSON.stringify(r.json)).not.toMatch(/\n\s+at /);
    const notJson = await post('/api/estimate', '{nope');
    expect(notJson.status).toBe(400);
    // the cost model's own checks name a CLI flag (--model, --parallel); a body's issues name the request
    const model = await post('/api/estimate', { model: 'wan2.2-t2v-a14bb', gpu: 'h100-sxm' });
    expect(model.status).toBe(400);
    expect(model.json.issues).toEqual([expect.objectContaining({ source: 'request', path: 'model', message: 'unknown model "wan2.2-t2v-a14bb"' })]);
    const layout = await post('/api/plan', { model: 'wan2.2-t2v-a14bb', gpu: 'h100-sxm', gpus: 1 });
    expect(layout.json.issues).toEqual([expect.objectContaining({ source: 'request', path: 'model' })]);
  });

  it('a scenario body is validated by the scenario schema: the same issue list as the CLI, without the file', async () => {
    const text = readFileSync('test/fixtures/bad.yaml', 'utf8');
    const r = await post('/api/validate', { scenario: text });
    expect(r.status).toBe(200);
    expect(r.json.valid).toBe(false);
    let cli: InputError | undefined;
    try {
      loadScenario('test/fixtures/bad.yaml');
    } catch (e) {
      cli = e as InputError;
    }
    const strip = (i: any) => ({ line: i.line, col: i.col, path: i.path, message: i.message, hint: i.hint });
    expect(r.json.issues.map(strip)).toEqual(cli!.issues.map((i) => JSON.parse(JSON.stringify(strip(i)))));
    expect(r.json.issues.every((i: any) => i.source === 'request')).toBe(true);
    const run = await post('/api/run', { scenario: text });
    expect(run.status).toBe(400);
    expect(run.json.issues.length).toBe(cli!.issues.length);
  });

  it('POST /api/run: the run --json summary, interactive chart specs, and the --out files to download', async () => {
    const r = await post('/api/run', { file: 'default.yaml', set: ['duration=1h'], out: true });
    expect(r.status).toBe(200);
    const cli = JSON.parse(vgsim(['run', 'scenarios/default.yaml', '--set', 'duration=1h', '--json']).stdout);
    expect(r.json.summary).toEqual(cli);
    const cdf = r.json.charts.find((c: any) => c.id === 'latency-cdf');
    expect(JSON.stringify(cdf.spec)).toContain('"bind":"scales"');
    const names = r.json.files.map((f: any) => f.name);
    for (const f of ['summary.json', 'requests.csv', 'timeseries.csv', 'report.html']) expect(names).toContain(f);
    const summary = await (await fetch(base + r.json.files.find((f: any) => f.name === 'summary.json').url)).json() as any;
    expect(summary.requests).toEqual(r.json.summary.requests);
    // what the run was asked to serve, by part, for the web UI's like-with-like comparison: another seed is the
    // same traffic, another rate is not
    expect(Object.keys(r.json.traffic)).toEqual(['duration', 'drain', 'arrivals', 'curve', 'request mix']);
    expect((await post('/api/run', { file: 'default.yaml', set: ['duration=1h'], seed: 7 })).json.traffic).toEqual(r.json.traffic);
    const faster = (await post('/api/run', { file: 'default.yaml', set: ['duration=1h', 'workload.arrivals.rate_per_hour=10'] })).json.traffic;
    expect(faster.arrivals).not.toBe(r.json.traffic.arrivals);
    expect(faster['request mix']).toBe(r.json.traffic['request mix']);
  });

  it('limits: body size (413) and simulated work (400 before running)', async () => {
    const big = await post('/api/validate', { scenario: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
    const long = await post('/api/run', { file: 'default.yaml', set: ['duration=365d'] });
    expect(long.status).toBe(400);
    expect(long.json.issues[0].message).toMatch(/more than this server simulates per call \(50000\)/);
  });

  it('a body cannot raise the run budget (limits:) past the defaults; a budget refusal does not suggest --set here', async () => {
    // 4.6e8 events with limits.max_events raised: it ran for minutes and blocked every other request
    const raised = await post('/api/run', { file: 'default.yaml', set: ['limits.max_events=1e13', 'limits.max_memory_mb=1e7'] });
    expect(raised.status).toBe(400);
    expect(raised.json.issues.map((i: any) => i.path)).toEqual(['limits.max_events', 'limits.max_memory_mb']);
    expect(raised.json.issues[0].message).toMatch(/above what this server runs per call \(limits\.max_events at most 100000000/);
    const cap = await post('/api/capacity', { file: 'default.yaml', slo: 'p95<=45m', set: ['limits.max_overload=1000'] });
    expect(cap.status).toBe(400);
    expect(cap.json.issues[0].path).toBe('limits.max_overload');
    // within the defaults: the budget check of the run itself refuses, and its hint names the CLI, not a --set the server refuses
    const dense = await post('/api/run', { file: 'default.yaml', set: ['duration=1000h', 'output.sample_interval_s=3.6', 'cluster.nodes[0].count=500', 'deployment.replicas=4000'] });
    expect(dense.status).toBe(400);
    expect(dense.json.issues[0].path).toBe('output.sample_interval_s');
    expect(dense.json.issues[0].hint).toMatch(/^sample less often .*; this server keeps the default limits \(the CLI takes vgsim run … --set limits\.max_events=/);
  });

  it('POST /api/capacity counts the arrivals its trials simulate at their scaled rates against --max-requests', async () => {
    // 160 expected arrivals × 6 trials passes the check before running; the trials run near the saturation bound
    const small = createVgsimServer({ scenarioDir: 'test/fixtures', maxRequests: 1000 });
    await new Promise<void>((r) => small.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await fetch(`http://127.0.0.1:${(small.address() as AddressInfo).port}/api/capacity`, { method: 'POST', body: JSON.stringify({ file: 'default.yaml', slo: 'p95<=45m', max_trials: 6 }) });
      expect(res.status).toBe(400);
      const issue = ((await res.json()) as any).issues[0];
      expect(issue.path).toBe('slo');
      expect(issue.message).toMatch(/^the capacity search had simulated about \d+ requests after \d trials \(the last at [\d.]+\/h\), more than this server simulates per call \(1000\)$/);
    } finally {
      await new Promise<void>((r) => small.close(() => r()));
    }
  });

  it('a trace-driven run counts its rows against --max-requests (a trace used to pass as 0 requests)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-serve-trace-'));
    const small = createVgsimServer({ scenarioDir: dir, maxRequests: 100 });
    try {
      await new Promise<void>((r) => small.listen(0, '127.0.0.1', () => r()));
      const url = `http://127.0.0.1:${(small.address() as AddressInfo).port}`;
      writeFileSync(join(dir, 'big.csv'), `timestamp_s\n${Array.from({ length: 300 }, (_, i) => `${i * 10}\n`).join('')}`);
      writeFileSync(join(dir, 'trace.yaml'), readFileSync('scenarios/default.yaml', 'utf8').replace(/arrivals:[^\n]*\n(\s+)process: poisson\n\s+rate_per_hour: 20/, 'arrivals:\n$1process: trace\n$1file: big.csv'));
      const call = async (route: string, body: object) => {
        const res = await fetch(url + route, { method: 'POST', body: JSON.stringify({ file: 'user:trace.yaml', ...body }) });
        return { status: res.status, json: await res.json() as any };
      };
      const run = await call('/api/run', { charts: false });
      expect(run.status).toBe(400);
      expect(run.json.issues).toEqual([expect.objectContaining({ path: 'workload.arrivals.file', message: 'about 300 requests (rows of the trace) is more than this server simulates per call (100)' })]);
      // rows after the duration never arrive: 50 rows within 500 s
      expect((await call('/api/run', { charts: false, set: ['duration=500s'] })).status).toBe(200);
      // a capacity search compresses the trace: every row counts, for each trial
      const cap = await call('/api/capacity', { slo: 'p95<=1h', set: ['duration=500s'], max_trials: 3 });
      expect(cap.status).toBe(400);
      expect(cap.json.issues[0].message).toBe('about 300 requests (rows of the trace) × 3 trials is more than this server simulates per call (100)');
    } finally {
      await new Promise<void>((r) => small.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads nothing outside the package and the scenario folder', async () => {
    const ext = await post('/api/run', { scenario: 'extends: /etc/hostname\n' });
    expect(ext.status).toBe(400);
    expect(ext.json.issues[0]).toMatchObject({ path: 'extends', message: expect.stringMatching(/outside the folders/) });
    const trace = await post('/api/validate', { scenario: readFileSync('scenarios/default.yaml', 'utf8').replace(/arrivals:[^\n]*\n(\s+)process: poisson\n\s+rate_per_hour: 20/, 'arrivals:\n$1process: trace\n$1file: /etc/hostname') });
    expect(trace.json.valid).toBe(false);
    expect(JSON.stringify(trace.json.issues)).toMatch(/outside the folders/);
    for (const p of ['/api/scenario?file=../../../etc/hostname', '/api/scenario?file=user:../../../../../../../etc/hostname']) expect((await fetch(base + p)).status).toBe(400);
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/vendor/yaml/../../package.json', '/api/runs/x/..%2f..%2fetc%2fhostname']) expect((await fetch(base + p)).status).toBe(404);
    // every other path a body can name: serving overheads and stage times (refused before validation passes
    // them and before a run opens them: /etc/passwd's first bytes used to come back in the JSON parse error),
    // and an estimate's or plan's GPU profile or diffusers-config model
    const yaml = readFileSync('scenarios/default.yaml', 'utf8');
    for (const [scenario, path] of [[`${yaml}serving_overheads: /etc/passwd\n`, 'serving_overheads'], [yaml.replace('deployment:\n', 'deployment:\n  stage_times: /etc/passwd\n'), 'deployment.0.stage_times']]) {
      for (const route of ['/api/validate', '/api/run']) {
        const r = await post(route, { scenario, set: ['duration=1h'] });
        const issues = route === '/api/validate' ? (expect(r.json.valid).toBe(false), r.json.issues) : (expect(r.status).toBe(400), r.json.issues);
        expect(issues, `${route} ${path}`).toEqual([expect.objectContaining({ path, message: expect.stringMatching(/outside the folders/) })]);
        expect(JSON.stringify(r.json)).not.toMatch(/root:/);
      }
    }
    for (const [route, body, path] of [['/api/estimate', { model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', profile: '/etc/passwd' }, 'profile'], ['/api/plan', { model: '/etc/x/config.json', gpu: 'h100-sxm', gpus: 1 }, 'model']] as const) {
      const r = await post(route, body);
      expect(r.status).toBe(400);
      expect(r.json.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(/outside the folders/) })]);
    }
    // inside the package a profile is read as the CLI reads it
    expect((await post('/api/estimate', { model: 'wan2.1-t2v-1.3b', gpu: 'h200', profile: 'calibration/profiles/incomplete/h200.json' })).status).toBe(200);
    // the user's folder is readable: test/fixtures/child.yaml extends a file next to it
    const user = await post('/api/validate', { file: 'user:md1.yaml' });
    expect(user.json.valid).toBe(true);
  });

  it('a malformed URL gets 400 "malformed URL", not 500', async () => {
    for (const p of ['/%E0%A4%A', '/api/runs/x/%E0%A4%A', '/vendor/yaml/%ZZ']) {
      const r = await fetch(base + p);
      expect(r.status, p).toBe(400);
      expect(((await r.json()) as any).error).toMatch(/^malformed URL/);
    }
    // an invalid absolute-form request target (fetch cannot send one: write the request line by hand)
    const { port } = server.address() as AddressInfo;
    const raw = await new Promise<string>((done, fail) => {
      let text = '';
      const sock = connect(port, '127.0.0.1', () => sock.write('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      sock.on('data', (d) => (text += d));
      sock.on('end', () => done(text));
      sock.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('malformed URL');
  });

  it('an unknown route is 404 whatever the method; a known route with the wrong method is 405 with Allow', async () => {
    for (const p of ['/api/nope', '/api/run/', '/API/RUN']) {
      const r = await post(p, {});
      expect(r.status, p).toBe(404);
      expect(r.json.error).toBe(`no route ${p}`);
    }
    expect((await post('/API/RUN', {})).json.hint).toBe('did you mean /api/run?');
    const get = await fetch(base + '/api/run');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(((await get.json()) as any).error).toBe('GET /api/run is not allowed: /api/run takes POST');
    for (const p of ['/api/gpus', '/api/openapi.json', '/']) {
      const r = await fetch(base + p, { method: 'POST', body: '{}' });
      expect(r.status, p).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD');
    }
    expect((await fetch(base + '/api/run', { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(base + '/api/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('GET /api/scenario without file says the query parameter is missing (it said "\"\": no such scenario"); the UI page names an inline icon (no /favicon.ico 404)', async () => {
    for (const q of ['', '?file=']) {
      const r = await fetch(`${base}/api/scenario${q}`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as any).issues).toEqual([expect.objectContaining({ source: 'request', path: 'file', message: 'missing query parameter file' })]);
    }
    expect(await (await fetch(`${base}/`)).text()).toContain('<link rel="icon" href="data:,">');
  });

  it('GET catalog routes match `vgsim list --json`; the OpenAPI document lists every route', async () => {
    const gpus = await (await fetch(`${base}/api/gpus`)).json();
    expect(gpus).toEqual(JSON.parse(vgsim(['list', 'gpus', '--json']).stdout));
    const scen = await (await fetch(`${base}/api/scenarios`)).json() as any[];
    expect(scen.map((s) => s.id)).toEqual(expect.arrayContaining(['default.yaml', 'user:bad.yaml']));
    const doc = await (await fetch(`${base}/api/openapi.json`)).json() as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/estimate', '/api/run', '/api/plan', '/api/capacity', '/api/validate', '/api/gpus', '/api/models', '/api/nodes', '/api/scenarios']) expect(doc.paths).toHaveProperty(p);
    expect(doc.paths['/api/estimate'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('inference');
    // the README's list of GET catalog routes names every one (it left out engines and evidence)
    const listed = /`GET \/api\/([a-z|]+)`/.exec(readFileSync('README.md', 'utf8'))![1]!.split('|');
    expect([...listed].sort()).toEqual([...CATALOG_KINDS].sort());
  });

  it('POST /api/capacity with no max_trials answers what `vgsim capacity --json` answers (one default)', async () => {
    const set = ['workload.arrivals.rate_per_hour=0.2'];
    const api = await post('/api/capacity', { file: 'default.yaml', slo: 'p95<=45m', set });
    expect(api.status).toBe(200);
    const cli = JSON.parse(vgsim(['capacity', 'scenarios/default.yaml', '--slo', 'p95<=45m', '--set', set[0]!, '--json']).stdout);
    expect(api.json.trials.map((t: { rate_per_h: number }) => t.rate_per_h)).toEqual(cli.trials.map((t: { rate_per_h: number }) => t.rate_per_h));
    expect(api.json.max_rate_per_h).toBe(cli.max_rate_per_h);
    expect(api.json.notes).toEqual(cli.notes);
  }, 60_000);

  it('POST /api/plan returns what `vgsim plan --json` prints: feasible and reason when nothing is ranked, the caveats and evidence lines the text prints', async () => {
    // the API calls first: a CLI child blocks this process for seconds, past the server's keep-alive timeout
    const none = await post('/api/plan', { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 1, max_latency_s: 60 });
    const b200 = await post('/api/plan', { model: 'wan2.2-t2v-a14b', gpu: 'b200', gpus: 8 });
    const alias = await post('/api/plan', { model: 'wan2.1-t2v-1.3b', gpu: 'h100', gpus: 1 });
    const mochi = await post('/api/plan', { model: 'mochi-1', gpu: 'h100-sxm', gpus: 1 });
    expect([none.status, b200.status, alias.status, mochi.status]).toEqual([200, 200, 200, 200]);
    const noneCli = vgsim(['plan', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--gpus', '1', '--max-latency', '1m', '--json']);
    expect(noneCli.code).toBe(2);
    expect(JSON.parse(noneCli.stdout)).toEqual(none.json);
    expect(none.json).toMatchObject({ feasible: false, ranked: 0, reason: expect.stringMatching(/^none of 2 layouts meets the latency objective/) });
    expect(JSON.parse(vgsim(['plan', '--model', 'wan2.2-t2v-a14b', '--gpu', 'b200', '--gpus', '8', '--json']).stdout)).toEqual(b200.json);
    expect(b200.json.feasible).toBe(true);
    expect(b200.json.evidence_lines).toEqual([expect.stringMatching(/^b200: NO measured profile .* UNVALIDATED/)]);
    const text = vgsim(['plan', '--model', 'wan2.2-t2v-a14b', '--gpu', 'b200', '--gpus', '8']).stdout;
    for (const l of b200.json.evidence_lines) expect(text).toContain(`evidence: ${l}\n`);
    // a GPU alias: the catalog id, so the evidence is found (it said "h100: NO measured profile")
    expect(JSON.parse(vgsim(['plan', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100', '--gpus', '1', '--json']).stdout)).toEqual(alias.json);
    expect(alias.json.evidence_lines).toEqual([expect.stringMatching(/^h100-sxm: measured kernel profile/)]);
    // another family: its evidence line as well
    expect(mochi.json.evidence_lines).toEqual([expect.stringMatching(/^h100-sxm: /), expect.stringMatching(/mochi/)]);
  }, 60_000);

  it('POST /api/plan with deploy, POST /api/capacity', async () => {
    const p = await post('/api/plan', { model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, official: true, deploy: true });
    expect(p.status).toBe(200);
    expect(p.json.deploy.official.command).toMatch(/^torchrun --nproc_per_node=8 generate\.py/);
    const c = await post('/api/capacity', { file: 'user:md1.yaml', slo: 'mean<=2000', max_trials: 6 });
    expect(c.status).toBe(200);
    expect(c.json.max_rate_per_h).toBeGreaterThan(0);
    const badSlo = await post('/api/capacity', { file: 'default.yaml', slo: 'p95<=soon' });
    expect(badSlo.status).toBe(400);
    // objectives the scenario cannot answer: 400 with the classes and a suggestion, before anything is simulated
    for (const [slo, message, hint] of [
      ['nope.p95<=1h', 'objective "nope.p95<=1h": no request class "nope" (classes: 720p-5s, 480p-5s)', expect.stringMatching(/name one of the scenario's classes/)],
      ['720p-5s.wait_p99<=1h', 'objective "720p-5s.wait_p99<=1h": per-class queue wait has mean and p95 only', 'use 720p-5s.wait_p95, or wait_p99 over all requests'],
    ]) {
      const r = await post('/api/capacity', { file: 'default.yaml', slo, set: ['duration=2h'], max_trials: 3 });
      expect(r.status, slo as string).toBe(400);
      expect(r.json.issues).toEqual([expect.objectContaining({ path: 'slo', message, hint })]);
    }
  });
});

