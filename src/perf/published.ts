/**
 * Published end-to-end tables (time per video and peak memory) against `estimate()`: the official Wan2.2
 * computational-efficiency table is the one we may calibrate on (calibration/published/); each cell is
 * run as its official launch line (src/parallel/official-flags.ts), so the flags are read the way the
 * scripts read them. Memory: the tables print "GB"; the values are read as GiB (2^30 bytes), what
 * torch.cuda.max_memory_allocated()/1024**3 prints — the reading the README argues for.
 */
import { readFileSync } from 'node:fs';
import { estimate, type InferenceOptions } from './estimate.ts';
import { parseOfficialFlags } from '../parallel/official-flags.ts';
import { getModel } from '../workload/request.ts';

export interface PublishedRow {
  gpu_label: string;
  /** vgsim GPU id. */
  gpu: string;
  /** Official --task. */
  task: string;
  /** ti2v-5B: 't2v' or 'i2v' (an --image given). */
  mode?: 't2v' | 'i2v';
  /** Official --size, W*H. */
  size: string;
  /** GPUs → [seconds, peak GiB]. */
  cells: Record<string, [number, number]>;
}

export interface PublishedTable {
  schema: 'vgsim-published-table/1';
  title: string;
  source: string;
  rows: PublishedRow[];
}

export interface PublishedComparison {
  gpu_label: string;
  gpu: string;
  task: string;
  mode?: string;
  size: string;
  gpus: number;
  launch: string;
  plan: string;
  published_s: number;
  vgsim_s: number;
  time_error: number;
  published_gib: number;
  vgsim_gib: number;
  memory_error: number;
}

export const GIB = 2 ** 30;

export function loadPublishedTable(file: string): PublishedTable {
  const t = JSON.parse(readFileSync(file, 'utf8')) as PublishedTable;
  if (t.schema !== 'vgsim-published-table/1') throw new Error(`${file}: not a vgsim published table (schema "${String(t.schema)}")`);
  return t;
}

/** The launch line of the Wan2.2 table's footnote for a cell. */
export function wan22TableLaunch(row: PublishedRow, gpus: number): string {
  const five = row.task === 'ti2v-5B';
  const head = gpus > 1 ? `torchrun --nproc_per_node=${gpus} generate.py` : 'python generate.py';
  const flags = gpus > 1
    ? five ? `--ulysses_size ${gpus} --offload_model True --convert_model_dtype --t5_cpu` : `--ulysses_size ${gpus} --dit_fsdp --t5_fsdp`
    : five ? '--offload_model True --convert_model_dtype --t5_cpu' : '--offload_model True --convert_model_dtype';
  const image = row.mode === 'i2v' ? ' --image examples/i2v_input.JPG' : '';
  return `${head} --task ${row.task} --size ${row.size} --ckpt_dir ./ckpt${image} ${flags}`;
}

export function comparePublished(table: PublishedTable, options: Partial<InferenceOptions> = {}, launch = wan22TableLaunch): PublishedComparison[] {
  const out: PublishedComparison[] = [];
  for (const row of table.rows) {
    for (const [n, [seconds, gib]] of Object.entries(row.cells)) {
      const gpus = Number(n);
      const line = launch(row, gpus);
      const run = parseOfficialFlags(line, 'published table');
      const e = estimate({
        model: getModel(run.model),
        gpu: row.gpu,
        gpus: run.gpus,
        plan: run.plan,
        request: run.request,
        options: { weightDtype: run.weightDtype, ...options },
      });
      const vgsimGib = (e.peak_memory_gb * 1e9) / GIB;
      out.push({
        gpu_label: row.gpu_label, gpu: row.gpu, task: row.task, mode: row.mode, size: row.size, gpus, launch: line, plan: e.parallel,
        published_s: seconds, vgsim_s: e.total_s, time_error: e.total_s / seconds - 1,
        published_gib: gib, vgsim_gib: vgsimGib, memory_error: vgsimGib / gib - 1,
      });
    }
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const stats = (rows: PublishedComparison[]) => {
  const t = rows.map((r) => Math.abs(r.time_error));
  const m = rows.map((r) => Math.abs(r.memory_error));
  return { time: { median: median(t), max: Math.max(...t) }, memory: { median: median(m), max: Math.max(...m) } };
};

/** Median and max |error| overall and per GPU. */
export function summarize(rows: PublishedComparison[]) {
  const byGpu: Record<string, ReturnType<typeof stats>> = {};
  for (const g of [...new Set(rows.map((r) => r.gpu_label))]) byGpu[g] = stats(rows.filter((r) => r.gpu_label === g));
  return { cases: rows.length, ...stats(rows), byGpu };
}
