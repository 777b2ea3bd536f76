import { ATTENTION_CHOICES } from '../../workload/ops.ts';
import type { Command } from 'commander';
import { runnable, searchPlans, type Objective, type PlanRow } from '../../studies/plan-search.ts';
import { getModel } from '../../workload/request.ts';
import { getGpu, getNode } from '../../hardware/catalog.ts';
import { shapeProblems } from '../../workload/shape-limits.ts';
import { InputError } from '../../errors.ts';
import { parseDuration, parseResolution } from '../../units.ts';
import { table, fmtSeconds, fmtSecondsColumn } from '../../report/table.ts';
import { UsageError, choiceFlag, intFlag, MAX_GPUS_FLAG } from '../usage-error.ts';
import { progress, type Progress } from '../../report/progress.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planScalingChart } from '../../report/charts/plan.ts';
import { renderSvg } from '../../report/charts.ts';
import { renderChartsPage, writeChartFiles } from '../../report/html.ts';
import { toJson } from '../../report/json.ts';
import { formatPlan, parsePlan } from '../../parallel/plan.ts';
import { defaultNodeFor } from '../../perf/layout.ts';
import { deployForRow, planDocument } from '../../api/plan-document.ts';
import { deployText, writeDeployArtifacts } from '../../deploy/artifacts.ts';
import { accelerationSpec, addAccelerationFlags, atAccelerationFlags, type AccelerationFlags } from '../acceleration-flags.ts';
import { accelerationOptions } from '../../engines/inference-spec.ts';
import { makeDirs } from '../../make-dirs.ts';

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('enumerate the valid parallel layouts for a model on a GPU budget and rank them')
    .requiredOption('--model <id>', 'model id')
    .option('--gpu <id>', 'GPU id (or --node)')
    .option('--node <type>', 'node type')
    .requiredOption('--gpus <n>', 'GPU budget (replicas × GPUs per replica)')
    .option('--resolution <WxH>', 'video size (default: the model default)')
    .option('--frames <n>', 'frames')
    .option('--steps <n>', 'denoising steps')
    .option('--rank <objective>', 'latency|throughput|headroom', 'latency')
    .option('--official', 'list only the layouts the engine\'s own code runs for the model (the official Wan code by default: Ulysses, FSDP, umT5 sharding, single-GPU offload); without it vgsim\'s what-ifs are listed unranked with the reason')
    .option('--max-latency <duration>', 'latency objective: rank only layouts whose one request on an idle replica takes at most this long (e.g. 10m)')
    .option('--all', 'also list the layouts that are not ranked (do not fit, or miss --max-latency), with the reason')
    .option('--top <n>', 'rows to show', '20')
    .option('--json', 'print JSON: the document of POST /api/plan (every layout, ranked first; feasible, reason, caveats, evidence_lines)')
    .option('--deploy <dir>', 'write launch commands (official Wan torchrun line, xDiT flags) and a Kubernetes manifest for the best feasible layout (or --layout) to this folder')
    .option('--layout <spec>', 'with --deploy: the layout to deploy, e.g. ulysses=4,fsdp (default: the top-ranked feasible one)')
    .option('--out <dir>', 'write plan.json (every layout, ranked), plan.html and charts/plan-scaling.svg|png (throughput, latency and speed-up vs GPUs per replica) to this folder')
    .option('--attention <kernel>', ATTENTION_CHOICES.join('|'), 'auto')
    .option('--dtype <dtype>', 'bf16|fp8|int8 (DiT block linears)', 'bf16')
    .option('--compile', 'torch.compile as the engine runs it');
  addAccelerationFlags(cmd)
    .addHelpText('after', `
Only layouts that fit (valid degrees, enough GPU memory), meet --max-latency when given and that the engine's
own code runs for the model are ranked; the others, vgsim's what-ifs among them (e.g. CFG parallel, not in the
official Wan2.2 code), are listed below them with the reason (--all shows each). A layout out of memory with
umT5 on every GPU is tried with t5=fsdp, then t5=cpu, where the engine has them. When none is ranked the output says why
and names the closest, and the exit code is 2 (JSON: feasible false and the reason). --json prints every
layout whatever --all and --top say: the same document as POST /api/plan and plan.json.

Examples:
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --resolution 1280x720
  $ vgsim plan --model wan2.2-t2v-a14b --node h100-pcie-8 --gpus 8 --rank throughput
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --resolution 1280x720 --rank throughput --max-latency 5m
  $ vgsim plan --model wan2.1-t2v-1.3b --gpu l40s --gpus 4 --json | jq '.layouts[] | select(.rank != null)'
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --resolution 1280x720 --out out/plan
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --official --deploy out/deploy
  $ vgsim plan --model wan2.2-t2v-a14b --gpu h100-sxm --gpus 8 --engine lightx2v --attention sage2 --dtype fp8`)
    .action(async (o: AccelerationFlags & { model: string; gpu?: string; node?: string; gpus: string; resolution?: string; frames?: string; steps?: string; rank: string; maxLatency?: string; official?: boolean; all?: boolean; top: string; json?: boolean; out?: string; deploy?: string; layout?: string; attention: string; dtype: string; compile?: boolean }) => {
      const maxLatencyS = o.maxLatency !== undefined ? parseDuration(o.maxLatency) : undefined;
      if (o.maxLatency !== undefined && !(maxLatencyS !== undefined && maxLatencyS > 0)) throw new UsageError(`--max-latency expects a positive duration such as 600, 10m or 1h, got "${o.maxLatency}"`);
      if (o.layout !== undefined && o.deploy === undefined) throw new UsageError('--layout needs --deploy <dir>');
      if (!o.gpu && !o.node) throw new UsageError('give --gpu <id> or --node <type>');
      choiceFlag('--rank', o.rank, ['latency', 'throughput', 'headroom'] as const);
      const res = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      // an unknown GPU is an input error with a suggestion (UnknownIdError), not an empty ranking
      const gpu = o.gpu !== undefined ? getGpu(o.gpu).id : getNode(o.node!).gpu;
      const model = getModel(o.model);
      const problems = shapeProblems(model, { width: res?.width ?? model.defaults.width, height: res?.height ?? model.defaults.height, frames: o.frames ? intFlag('--frames', o.frames) : model.defaults.frames, steps: o.steps ? intFlag('--steps', o.steps) : model.defaults.steps });
      if (problems.length) throw new InputError(problems.map((p) => ({ source: `--${p.field}`, path: p.field, message: p.message, hint: p.hint })));
      // progress per candidate layout (a large GPU budget has thousands); the bar is sized at the first one
      let bar: Progress | undefined;
      const rows = searchPlans({
        onCandidate: (done, total) => {
          bar ??= progress(total, 'plan', { enabled: !o.json });
          bar.tick(done - bar.current);
        },
        model,
        gpu,
        node: o.node,
        budget: intFlag('--gpus', o.gpus, 1, MAX_GPUS_FLAG),
        request: { width: res?.width, height: res?.height, frames: o.frames ? intFlag('--frames', o.frames) : undefined, steps: o.steps ? intFlag('--steps', o.steps) : undefined },
        objective: o.rank as Objective,
        maxLatencyS,
        whatIfs: !o.official,
        options: planOptions(o),
      });
      bar?.done();
      const ranked = rows.filter((r) => r.rank !== null);
      const unranked = rows.filter((r) => r.rank === null);
      const top = intFlag('--top', o.top);
      const shown = (o.all ? rows : ranked).slice(0, top);
      const headers = ['#', 'parallel (per replica)', 'GPUs', 'replicas', 'latency', 'videos/h/GPU', 'peak GB', 'headroom GB', 'note'];
      // the latency column in one unit (80.41 s beside 2.4 min hid which was faster)
      const rowCells = (list: typeof rows) => {
        const latency = fmtSecondsColumn(list.map((r) => r.latency_s), '-');
        return list.map((r, i) => [
          r.rank ?? '-', r.parallel, r.gpus_per_replica, r.replicas, latency[i]!, r.throughput_per_gpu_h ?? null, r.peak_memory_gb ?? null, r.headroom_gb ?? null, r.rank !== null ? r.tight_reason ?? '' : r.reason,
        ]);
      };
      const budget = intFlag('--gpus', o.gpus, 1, MAX_GPUS_FLAG);
      // one document for --json, plan.json and POST /api/plan (api/plan.ts)
      const doc = planDocument({ model: o.model, gpu, node: o.node ?? defaultNodeFor(gpu, budget), budget, rank: o.rank as Objective, maxLatencyS, engine: o.engine }, rows);
      const none = doc.reason;
      const objective = maxLatencyS !== undefined ? `fit and take at most ${fmtSeconds(maxLatencyS)} per request (--max-latency)` : 'fit';
      if (o.out) {
        const dir = o.out;
        makeDirs(dir);
        const files = [join(dir, 'plan.json'), join(dir, 'plan.html')];
        const ranked = rows.map(({ estimate: _e, ...r }) => r);
        writeFileSync(files[0]!, toJson(doc));
        const feasibleRows = rows.filter(runnable);
        const charts = feasibleRows.length
          ? [{
            id: 'plan-scaling', section: 'cost-model' as const, title: 'Scaling with GPUs per replica',
            caption: 'For each GPU count, the best feasible layout: videos/h per GPU, one request\'s latency, and speed-up against ideal linear scaling (labels: layout, and parallel efficiency).',
            svg: await renderSvg(planScalingChart(rows)),
          }]
          : [];
        files.push(...(await writeChartFiles(dir, charts)));
        writeFileSync(files[1]!, renderChartsPage({
          title: `vgsim plan — ${o.model} on ${o.gpus} × ${o.gpu ?? o.node}`,
          meta: `${ranked.length} of ${rows.length} layouts ${objective}, ranked by ${o.rank}${none ? ` — ${none}` : ''}. Evidence: ${doc.evidence_lines.join('; ')}`,
          charts,
          tables: [
            { caption: `Ranked: the layouts that ${objective}`, headers, rows: rowCells(ranked), numeric: [true, false, true, true, true, true, true, true, false] },
            { caption: 'Not ranked, with the reason', headers, rows: rowCells(unranked), numeric: [true, false, true, true, true, true, true, true, false] },
          ],
        }));
        process.stderr.write(`wrote ${files.length} files to ${dir}/ (open plan.html)\n`);
      }
      let deployed = '';
      if (o.deploy !== undefined) {
        const want = o.layout !== undefined ? formatPlan(parsePlan(o.layout, '--layout')) : undefined;
        const row = want !== undefined ? rows.find((r) => formatPlan(parsePlan(r.parallel)) === want) : rows.find((r) => r.rank === 1);
        if (!row) throw new UsageError(want !== undefined ? `--layout ${o.layout} is not one of the layouts of this plan (see the table)` : `no ranked layout to deploy: ${none}`);
        if (!row.feasible) throw new UsageError(`--layout ${o.layout} is not feasible: ${row.reason}`);
        const artifacts = deployForRow(row, o.model, doc.node);
        const files = writeDeployArtifacts(o.deploy, artifacts);
        process.stderr.write(`wrote ${files.length} files to ${o.deploy}/ (DEPLOY.md${artifacts.kubernetes.supported ? ', kubernetes.yaml' : ''})\n`);
        deployed = `\n${deployText(artifacts)}\n`;
      }
      if (none) process.exitCode = 2;
      if (o.json) {
        process.stdout.write(toJson(doc));
        if (none) process.stderr.write(`no ranked layout: ${none}\n`);
        return;
      }
      const fits = doc.fits;
      const whatIfs = rows.filter((r) => r.feasible && r.what_if).length;
      // how many fit where --max-latency ranks fewer; the unranked layouts (too big, or too slow) are listed by --all
      const notes: string[] = [];
      if (maxLatencyS !== undefined) notes.push(`${fits} fit, ${fits - ranked.length} of them over --max-latency`);
      if (whatIfs) notes.push(`${whatIfs} more fit as what-ifs the engine's code does not run, never picked`);
      if (ranked.length < rows.length) notes.push(o.all ? 'the others follow with the reason' : '--all lists the others with the reason');
      process.stdout.write(`${ranked.length} of ${rows.length} layouts ${objective}, ranked by ${o.rank}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
      if (none) process.stdout.write(`no recommendation: ${none}\n`);
      else {
        const best = ranked[0]!;
        process.stdout.write(`pick: ${best.parallel} × ${best.replicas} replica${best.replicas === 1 ? '' : 's'}, ${fmtSeconds(best.latency_s!)} per request${maxLatencyS !== undefined ? ` (<= ${fmtSeconds(maxLatencyS)})` : ''}, ${best.throughput_per_gpu_h!.toFixed(2)} videos/h per GPU, ${best.headroom_gb!.toFixed(1)} GB headroom${best.tight ? ` — ${tightPickNote(best, ranked)}` : ''}\n`);
        for (const c of doc.caveats) process.stdout.write(`caveat: ${c}\n`);
        if (doc.what_if_ahead) process.stdout.write(`what-if (not runnable, not picked): ${doc.what_if_ahead}\n`);
      }
      // what every number of the ranking rests on: the GPU's profile and its held-out record
      for (const l of doc.evidence_lines) process.stdout.write(`evidence: ${l}\n`);
      // a family's layouts are its public code's: say which modes no layout uses, and why
      if (doc.not_offered) process.stdout.write(`not offered: ${doc.not_offered}\n`);
      process.stdout.write('\n' + (shown.length ? table(headers, rowCells(shown)) + '\n' : '') + deployed);
    });
}

/** The inference options a plan search prices every layout with (the engine decides which layouts exist). */
function planOptions(o: AccelerationFlags & { attention: string; dtype: string; compile?: boolean }) {
  const attention = choiceFlag('--attention', o.attention, ATTENTION_CHOICES);
  choiceFlag('--dtype', o.dtype, ['bf16', 'fp8', 'int8'] as const);
  const acc = atAccelerationFlags(() => accelerationOptions(accelerationSpec(o)));
  const plain = o.attention === 'auto' && o.dtype === 'bf16' && !o.compile && Object.keys(acc).length === 0;
  return plain ? undefined : { attention, dtype: o.dtype as 'bf16', compile: !!o.compile, ...acc };
}

/** Why a tight layout is still the pick: no layout has room, or the best with room is more than 10% behind it (allocator-slack.ts ROOM_TOLERANCE). */
function tightPickNote(best: PlanRow, ranked: readonly PlanRow[]): string {
  const roomy = ranked.find((r) => !r.tight);
  const why = best.tight_reason!.replace(/^tight: /, '');
  if (!roomy) return `tight, as is every layout that fits: ${why}`;
  return `tight: ${why}; ${roomy.parallel} (#${roomy.rank}) has room but takes ${fmtSeconds(roomy.latency_s!)} per request, more than 10% behind`;
}
