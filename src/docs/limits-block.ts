/**
 * The README's run-budget block: the default limits, what a time-series sample counts for, the physical bounds
 * a scenario's numbers must keep, and a refusal as `vgsim run` prints it — produced now from the code, so the
 * numbers cannot drift (test/readme.test.ts).
 */
import { relative } from 'node:path';
import { DEFAULT_LIMITS } from '../scenario/limits.ts';
import { SAMPLE_WORK } from '../serving/budget.ts';
import { REPLAY_SEED_EVENTS } from '../calibration/replay.ts';
import { MAX_DURATION_S, MAX_NODES, MAX_SAMPLES } from '../scenario/bounds.ts';
import { loadScenario } from '../scenario/load.ts';
import { startSimulation } from '../serving/simulate.ts';
import { InputError, formatIssues } from '../errors.ts';
import { packagePath } from '../package-files.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** What `vgsim run <file> --set <set>` prints for a run the budget refuses (the file shown relative to the package). */
export function refusal(file: string, set: string[]): string {
  const path = packagePath(file);
  try {
    const l = loadScenario(path, { set });
    startSimulation(l.scenario, { locate: l.locate });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const text = `error: invalid input (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'})\n${formatIssues(e.issues)}`;
    return text.replaceAll(path, relative(packagePath('.'), path));
  }
  throw new Error(`the run budget accepted ${file} with ${set.join(' ')}`);
}

export function limitsBlock(): string {
  const l = DEFAULT_LIMITS;
  const set = ['workload.arrivals.rate_per_hour=30', 'duration=3650d'];
  return [
    '| `limits:` field | default | what it bounds |',
    '|---|---:|---|',
    `| \`max_events\` | ${n(l.max_events)} | events one run may process; a time-series sample counts as 1 + ${SAMPLE_WORK.perNode} per node and replica (+ ${SAMPLE_WORK.perMonitoredGpu} per GPU when \`--out\` records the monitoring series), as \`npm run bench:budget\` measures them; the seeds of \`vgsim replay --replications\` share one run's (each counts ${n(REPLAY_SEED_EVENTS)} besides its events) |`,
    `| \`max_memory_mb\` | ${n(l.max_memory_mb)} | what the run keeps: per-request records (\`--out\`), waiting requests, the time series, the timeline (\`--trace\`), the monitoring series |`,
    `| \`max_overload\` | ${n(l.max_overload)} | offered load as a multiple of what the cluster can ever serve (every replica busy at its largest batch) |`,
    '',
    `Beyond the budget, every number has a physical range (\`src/scenario/bounds.ts\`, each with its reason): a run simulates at most ${Math.round(MAX_DURATION_S / 86400 / 365.25)} years and ${n(MAX_NODES)} nodes, with at most ${n(MAX_SAMPLES)} time-series samples; storage, failure rates and repair times, autoscaler intervals, serving overheads, node power, PUE and every price and financial term have bounds an order of magnitude or more past anything published. For example:`,
    '',
    '```',
    `$ vgsim run scenarios/default.yaml ${set.map((s) => `--set ${s}`).join(' ')}`,
    refusal('scenarios/default.yaml', set),
    '```',
  ].join('\n');
}
