/**
 * The JSON API of `vgsim serve`: each route takes a parsed body and returns a status and a JSON value; the
 * same functions and the same documents as the CLI's `--json` (estimate, run summary, plan, capacity), bodies
 * validated by zod schemas (scenario bodies by the scenario schema itself), bad input answered 400 with the
 * CLI's issue list. Simulated work is bounded before anything runs (expected arrivals × trials).
 */
import { packagePath } from '../package-files.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, type InputIssue } from '../errors.ts';
import { loadScenario, parseScenario, type LoadedScenario } from '../scenario/load.ts';
import { libraryFile, libraryScenarios } from '../scenario/library.ts';
import type { Scenario } from '../scenario/schema.ts';
import { ratePerSecond, readTrace } from '../workload/arrivals.ts';
import { resolvePath } from '../serving/state.ts';
import { simulate } from '../serving/simulate.ts';
import { writeRunOutput } from '../report/output.ts';
import { summaryOf } from '../serving/result.ts';
import { reportCharts } from '../report/charts.ts';
import { interactiveSpec } from '../report/interactive.ts';
import { estimate } from '../api/estimate.ts';
import { plan } from '../api/plan.ts';
import { capacity, objectives, DEFAULT_MAX_TRIALS } from '../api/studies.ts';
import type { Trial } from '../studies/capacity.ts';
import { listing, type CatalogKind } from '../api/catalog.ts';
import { parseRequest } from '../api/request-issues.ts';
import { DEFAULT_LIMITS } from '../scenario/limits.ts';
import { trafficParts } from '../report/compare-traffic.ts';
import { refusedReferences, refusedRequestPaths, type FilePolicy } from './file-policy.ts';
import { readdirSync, existsSync } from 'node:fs';

export interface ApiLimits {
  /** Expected arrivals one run may simulate (rate × duration); capacity multiplies by its trials. */
  maxRequests: number;
}

export interface ApiContext {
  policy: FilePolicy;
  /** The user's scenario folder (absolute). */
  scenarioDir: string;
  limits: ApiLimits;
  /** Output folders of recent runs (for downloads), newest last. */
  runs: Map<string, { dir: string; files: string[] }>;
}

export interface ApiReply {
  status: number;
  body: unknown;
  /** Extra response headers (e.g. Allow with a 405). */
  headers?: Record<string, string>;
}

const ScenarioRefSchema = {
  scenario: z.string().max(1_000_000).optional().describe('the scenario as YAML (or JSON) text'),
  file: z.string().optional().describe('a scenario of GET /api/scenarios by its id, e.g. "default.yaml" or "user:my.yaml"'),
  set: z.array(z.string()).default([]).describe('overrides, path=value (as --set)'),
  seed: z.number().int().nonnegative().optional(),
};
export const ValidateRequestSchema = z.strictObject(ScenarioRefSchema);
export const RunRequestSchema = z.strictObject({
  ...ScenarioRefSchema,
  out: z.boolean().default(false).describe('also write the files `vgsim run --out` writes, for download'),
  charts: z.boolean().default(true).describe('the report\'s charts as interactive Vega-Lite specs'),
});
export const CapacityRequestSchema = z.strictObject({
  ...ScenarioRefSchema,
  slo: z.string().describe('objectives, e.g. "p95<=45m,attainment>=0.95"'),
  tolerance: z.number().gt(0).lt(1).default(0.02),
  max_trials: z.number().int().positive().max(40).default(DEFAULT_MAX_TRIALS).describe('simulations at most (as --max-trials)'),
  max_loss: z.number().min(0).lt(1).default(0),
});

const bad = (issues: InputIssue[]): ApiReply => ({ status: 400, body: { error: 'invalid input', issues } });

/** The scenario a body names or carries, loaded and validated with the server's file policy. */
export function requestScenario(ctx: ApiContext, body: { scenario?: string; file?: string; set: string[]; seed?: number }): LoadedScenario & { dir: string } {
  const opts = { set: body.set, seed: body.seed, readable: ctx.policy.readable };
  if ((body.scenario === undefined) === (body.file === undefined)) throw new InputError([{ source: 'request', path: 'scenario', message: 'give either scenario (YAML text) or file (an id from GET /api/scenarios)' }]);
  let loaded: LoadedScenario;
  let dir: string;
  if (body.file !== undefined) {
    const file = body.file.startsWith('user:') ? resolve(ctx.scenarioDir, body.file.slice(5)) : libraryFile(body.file);
    const why = file === undefined ? 'no such scenario' : ctx.policy.readable(file);
    if (file === undefined || why) throw new InputError([{ source: 'request', path: 'file', message: `"${body.file}": ${why ?? 'no such scenario'}`, hint: 'GET /api/scenarios lists them' }]);
    dir = dirname(file);
    loaded = loadScenario(file, opts);
  } else {
    dir = ctx.scenarioDir;
    loaded = parseScenario(body.scenario!, { ...opts, name: 'request', dir });
  }
  const refused = refusedReferences(loaded.scenario, dir, ctx.policy);
  if (refused.length) throw new InputError(refused);
  return { ...loaded, dir };
}

/**
 * Expected arrivals of one run: rate × duration for Poisson/Gamma traffic (the curve keeps the mean rate); a
 * trace's rows that arrive within the duration (the file as the run reads it, against `baseDir`), or all of
 * them where a search scales its rate (a faster replay brings later rows into the window).
 */
export function expectedRequests(s: Scenario, baseDir?: string, wholeTrace = false): number {
  const a = s.workload.arrivals;
  if (a.process !== 'trace') return ratePerSecond(a) * s.duration;
  const rows = readTrace(resolvePath(baseDir, a.file), a.rate_per_s);
  return wholeTrace ? rows.length : rows.filter((r) => r.time < s.duration).length;
}

/**
 * The run budget a call may ask for: the scenario's `limits:` at most the defaults (scenario/limits.ts; 1e8
 * events is tens of seconds to a minute and a half). A body that raised them (`set: ["limits.max_events=1e13"]`) passed the
 * arrivals bound and ran for minutes with every other request of this single-threaded server waiting.
 */
function checkLimits(s: Scenario): void {
  const keys = Object.keys(DEFAULT_LIMITS) as (keyof typeof DEFAULT_LIMITS)[];
  const issues: InputIssue[] = keys.filter((k) => s.limits[k] > DEFAULT_LIMITS[k]).map((k) => ({
    source: 'request', path: `limits.${k}`,
    message: `${s.limits[k]} is above what this server runs per call (limits.${k} at most ${DEFAULT_LIMITS[k]}, the default)`,
    hint: `drop the override, or run it with the CLI (vgsim run … --set limits.${k}=${s.limits[k]})`,
  }));
  if (issues.length) throw new InputError(issues);
}

/**
 * Issues as an HTTP caller reads them: a file the server read is named relative to the folder it came from (the
 * package's library `scenarios/…`, the server's scenario folder `user:…`), not by the server's absolute install
 * path, which the caller has no use for and should not learn.
 */
export function callerPaths(issues: InputIssue[], scenarioDir: string): InputIssue[] {
  // the more specific folder first (a scenario folder inside the package), the package when they are the same
  const pkg = packagePath();
  const roots: [string, string][] = [...(scenarioDir !== pkg ? [[`${scenarioDir}/`, 'user:'] as [string, string]] : []), [`${pkg}/`, '']];
  if (pkg.startsWith(`${scenarioDir}/`)) roots.reverse();
  const rel = (s: string | undefined) => (s === undefined ? s : roots.reduce((x, [abs, as]) => x.split(abs).join(as), s));
  return issues.map((i) => ({ ...i, source: rel(i.source)!, message: rel(i.message)!, ...(i.hint !== undefined ? { hint: rel(i.hint) } : {}) }));
}

/** A run's budget refusal (serving/budget.ts) says how to raise the limit with --set; here that is refused, so it says where it is not. */
export function serverHints(issues: InputIssue[]): InputIssue[] {
  return issues.map((i) => {
    const m = i.hint?.match(/^(.*?),? or (?:raise the limit: )?(--set limits\.\w+=\S+)/);
    return m ? { ...i, hint: `${m[1]}; this server keeps the default limits (the CLI takes vgsim run … ${m[2]})` } : i;
  });
}

/** Refuses a call that would simulate more than the server's limit: one run, or `trials` of a capacity search. */
function checkWork(s: Scenario, baseDir: string, limits: ApiLimits, trials?: number): void {
  checkLimits(s);
  const n = expectedRequests(s, baseDir, trials !== undefined);
  const k = trials ?? 1;
  if (n * k > limits.maxRequests) {
    const trace = s.workload.arrivals.process === 'trace';
    throw new InputError([{
      source: 'request', path: trace ? 'workload.arrivals.file' : 'duration',
      message: `about ${Math.round(n)} requests${trace ? ' (rows of the trace)' : ''}${k > 1 ? ` × ${k} trials` : ''} is more than this server simulates per call (${limits.maxRequests})`,
      hint: `${trace ? 'replay fewer rows (a shorter trace or duration)' : 'shorten duration or lower the rate'}, or run it with the CLI (or start serve with a larger --max-requests)`,
    }]);
  }
}

const MAX_KEPT_RUNS = 16;

function keepRun(ctx: ApiContext, dir: string, files: string[]): string {
  const id = dir.split(/[\\/]/).pop()!.replace(/^vgsim-run-/, '');
  ctx.runs.set(id, { dir, files });
  while (ctx.runs.size > MAX_KEPT_RUNS) {
    const [oldest, v] = ctx.runs.entries().next().value!;
    rmSync(v.dir, { recursive: true, force: true });
    ctx.runs.delete(oldest);
  }
  return id;
}

type Handler = (ctx: ApiContext, body: unknown) => Promise<ApiReply> | ApiReply;

/** An estimate or plan route: a file its body names outside the server's file policy is refused before anything opens it. */
function withReadablePaths(run: (body: unknown) => unknown): Handler {
  return (ctx, body) => {
    const refused = refusedRequestPaths(body, ctx.policy);
    return refused.length ? bad(refused) : { status: 200, body: run(body) };
  };
}

export const POST_ROUTES: Record<string, Handler> = {
  '/api/validate': (ctx, body) => {
    const r = parseRequest(ValidateRequestSchema, body);
    try {
      requestScenario(ctx, r);
      return { status: 200, body: { valid: true, issues: [] } };
    } catch (e) {
      if (e instanceof InputError) return { status: 200, body: { valid: false, issues: e.issues } };
      throw e;
    }
  },
  '/api/estimate': withReadablePaths((body) => estimate(body as never)),
  '/api/plan': withReadablePaths((body) => plan(body as never)),
  '/api/run': async (ctx, body) => {
    const r = parseRequest(RunRequestSchema, body);
    const loaded = requestScenario(ctx, r);
    checkWork(loaded.scenario, loaded.dir, ctx.limits);
    const result = simulate(loaded.scenario, { records: true, baseDir: loaded.dir, locate: loaded.locate });
    // traffic: what the run was asked to serve, so the web UI's comparison ranks only runs of the same traffic
    const reply: Record<string, unknown> = { name: loaded.scenario.name, summary: summaryOf(result), traffic: trafficParts({ result, scenario: loaded.scenario }) ?? null };
    if (r.charts) {
      const estimates = (result.estimates ?? []).map((e) => ({ label: `${e.class} on ${e.pool}`, estimate: e.estimate }));
      reply.charts = reportCharts(result, estimates).map((c) => ({ ...c, spec: interactiveSpec(c.spec) }));
    }
    if (r.out) {
      const dir = mkdtempSync(join(tmpdir(), 'vgsim-run-'));
      const files = writeRunOutput(dir, result, loaded.scenario);
      const { writeHtmlReport } = await import('../report/html.ts');
      const estimates = (result.estimates ?? []).map((e) => ({ label: `${e.class} on ${e.pool}`, estimate: e.estimate }));
      files.push(...(await writeHtmlReport(dir, { result, scenario: loaded.scenario, estimates, title: loaded.scenario.name })));
      const names = files.map((f) => f.slice(dir.length + 1).split('\\').join('/'));
      const id = keepRun(ctx, dir, names);
      reply.files = names.map((n) => ({ name: n, url: `/api/runs/${id}/${n}` }));
    }
    return { status: 200, body: reply };
  },
  '/api/capacity': (ctx, body) => {
    const r = parseRequest(CapacityRequestSchema, body);
    objectives(r.slo);
    const loaded = requestScenario(ctx, r);
    checkWork(loaded.scenario, loaded.dir, ctx.limits, r.max_trials);
    // the trials run at scaled rates (up to twice the saturation bound) over stretched horizons, which the
    // check above cannot see: the search stops once the arrivals it simulated pass the limit (a 100-node
    // default scenario counted 160 × 40 and simulated about 277,000 in 27 s)
    let simulated = expectedRequests(loaded.scenario, loaded.dir);
    let trials = 0;
    const onTrial = (t: Trial) => {
      simulated += (t.rate_per_h * t.duration_s) / 3600;
      trials++;
      if (simulated <= ctx.limits.maxRequests) return;
      throw new InputError([{
        source: 'request', path: 'slo',
        message: `the capacity search had simulated about ${Math.round(simulated)} requests after ${trials} trials (the last at ${t.rate_per_h.toFixed(1)}/h), more than this server simulates per call (${ctx.limits.maxRequests})`,
        hint: 'run it with the CLI (vgsim capacity), shorten duration, or start serve with a larger --max-requests',
      }]);
    };
    const res = capacity(loaded.scenario, r.slo, { baseDir: loaded.dir, locate: loaded.locate, tolerance: r.tolerance, maxTrials: r.max_trials, maxLossShare: r.max_loss, onTrial });
    const { at_capacity, ...rest } = res;
    return { status: 200, body: { ...rest, at_capacity: at_capacity ? summaryOf(at_capacity) : null } };
  },
};

/** GET /api/<kind>: the catalog as `vgsim list <kind> --json`; scenarios adds the user's folder. */
export function getListing(ctx: ApiContext, kind: CatalogKind): ApiReply {
  if (kind !== 'scenarios') return { status: 200, body: listing(kind).json };
  const lib = libraryScenarios().map((s) => ({ id: s.id, name: s.name, description: s.description, source: 'library' }));
  const user = existsSync(ctx.scenarioDir)
    ? readdirSync(ctx.scenarioDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => ({ id: `user:${f}`, name: f, description: '', source: 'scenario folder' }))
    : [];
  return { status: 200, body: [...lib, ...user] };
}

export { bad };
