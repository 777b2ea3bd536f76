import type { Command } from 'commander';
import { dirname, relative, resolve } from 'node:path';
import { loadScenario } from '../../scenario/load.ts';
import { readObservedTrace } from '../../calibration/observed-trace.ts';
import { calibrate, calibrationRuns, overheadsFile, stageTimesFile } from '../../calibration/calibrate.ts';
import { progress } from '../../report/progress.ts';
import { fitTable, hostFitText, validationTable } from '../../calibration/report.ts';
import { collect, UsageError } from '../usage-error.ts';
import { writeOutputFile } from '../../make-dirs.ts';
import { observedInputs, refuseClobber, scenarioInputs } from '../output-clash.ts';
import { parseWarmup } from '../../calibration/warmup.ts';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('fit what kernel profiles cannot see (the host\'s time per kernel launch, dispatch, stage hand-off, per-request pre/post-processing, service-time variability) from an observed trace, and report the replay error before and after on other traces')
    .argument('<fit-trace>', 'observed trace to fit on (vgsim-observed-trace/1)')
    .requiredOption('--scenario <file>', 'scenario describing the server (its serving_overheads are ignored: before = none, after = fitted)')
    .requiredOption('--validate <trace>', 'observed trace to score on, not the fit trace: another load level or seed (repeatable)', collect, [])
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .option('--write <file>', 'write the fitted overheads as a vgsim-serving-overheads/1 JSON for serving_overheads:')
    .option('--write-stage-times <file>', 'also write the fit trace\'s mean stage times per shape as a vgsim-stage-profile/1 JSON for deployment.stage_times (hardware vgsim has no cost model for)')
    .option('--warmup <seconds|mser>', "leave the fit trace's warm-up out of the fit: the requests that started in its first N seconds, or before the end of its initial transient by the MSER-5 rule (needs 100+ requests)")
    .option('--json', 'print the fit and the validations as one JSON document')
    .addHelpText('after', `
Examples:
  $ vgsim calibrate calibration/serving/traces/cpu-tiny/fit.csv --scenario calibration/serving/scenarios/cpu-tiny.yaml \\
      --validate calibration/serving/traces/cpu-tiny/load50.csv --validate calibration/serving/traces/cpu-tiny/load85.csv
  $ vgsim calibrate fit.csv --scenario my-cluster.yaml --validate other-seed.csv --write overheads.json
then reference the file from the scenario:  serving_overheads: overheads.json`)
    .action((file: string, o: { scenario: string; validate: string[]; set: string[]; write?: string; writeStageTimes?: string; warmup?: string; json?: boolean }) => {
      if (o.validate.length === 0) throw new UsageError('--validate needs at least one trace other than the fit trace');
      const warmup = o.warmup === undefined ? undefined : parseWarmup(o.warmup);
      const loaded = loadScenario(o.scenario, { set: o.set });
      const outputs = [...(o.write ? [{ name: '--write', path: o.write }] : []), ...(o.writeStageTimes ? [{ name: '--write-stage-times', path: o.writeStageTimes }] : [])];
      refuseClobber(outputs, [...observedInputs(file, 'the fit trace'), ...o.validate.flatMap((v) => observedInputs(v, `--validate ${v}`)), ...scenarioInputs(loaded, dirname(resolve(o.scenario)))]);
      const fitTrace = readObservedTrace(file);
      const traces = o.validate.map(readObservedTrace);
      for (const w of [fitTrace, ...traces].flatMap((t) => t.warnings ?? [])) process.stderr.write(`warning: ${w}\n`);
      const bar = progress(calibrationRuns(traces), 'calibrate', { enabled: !o.json });
      let res;
      try {
        res = calibrate(loaded, fitTrace, traces, dirname(resolve(o.scenario)), () => bar.tick(), warmup);
      } finally {
        bar.done();
      }
      for (const w of res.warnings) process.stderr.write(`warning: ${w}\n`);
      if (o.write) {
        const doc = overheadsFile(res, relative(dirname(resolve(o.write)), resolve(file)));
        writeOutputFile(o.write, JSON.stringify(doc, null, 1) + '\n');
        process.stderr.write(`wrote ${o.write}\n`);
      }
      if (o.writeStageTimes) {
        writeOutputFile(o.writeStageTimes, JSON.stringify(stageTimesFile(res, relative(dirname(resolve(o.writeStageTimes)), resolve(file))), null, 1) + '\n');
        process.stderr.write(`wrote ${o.writeStageTimes}\n`);
      }
      if (o.json) {
        process.stdout.write(JSON.stringify({ fit: res.fit, host: res.host, fit_trace: res.fitTrace, warmup_left_out: res.warmup, validations: res.validations.map((v) => ({ file: v.file, before: v.before.rows, after: v.after.rows, own_service: v.queueing.rows })) }, null, 1) + '\n');
        return;
      }
      const warm = res.warmup ? [`warm-up left out of the fit: ${res.warmup.dropped} requests, the first ${res.warmup.seconds.toFixed(1)} s of ${file} (${res.warmup.rule})`] : [];
      const parts = [...warm, hostFitText(res.host, file), fitTable(res.fit, file), ...res.validations.map(validationTable)];
      process.stdout.write(parts.join('\n\n') + '\n');
    });
}
