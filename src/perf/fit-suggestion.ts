/**
 * What would make a request fit in GPU memory (perf/memory-fit.ts), as data: which setting to change and why. Its
 * words are rendered from that data twice — as the flags `vgsim estimate` takes (flagText: "--offload (…)") and as
 * the fields of a scenario file (fieldText: "set inference.offload: true — …"), which is what a scenario that does
 * not fit its pool is told (serving/state.ts) — so neither text is rewritten from the other.
 */
export type FitSuggestion =
  /** One setting: the flag as typed (with its value where it takes one) and the scenario field it is, with its value. */
  | { kind: 'set'; flag: string; field: string; value: string; why: string }
  /** A token of the parallel layout: `--parallel` on the command line, the pool's `parallel` in a scenario. */
  | { kind: 'parallel'; token: string; why: string }
  /** FSDP weight sharding: add fsdp to the layout, or (a one-GPU layout) an example layout over more GPUs. */
  | { kind: 'fsdp'; example: { gpus: number; parallel: string } | null }
  /** Advice that no one setting carries ("more GPUs in the sequence-parallel group"). */
  | { kind: 'advice'; text: string };

const FSDP = 'FSDP weight sharding';
const FSDP_MORE_GPUS = `${FSDP} with sequence parallelism over more GPUs`;

/** The suggestion as `vgsim estimate` flags: "--dtype fp8 (…)", "t5=fsdp in --parallel (…)". */
export function flagText(s: FitSuggestion): string {
  switch (s.kind) {
    case 'set': return `${s.flag} (${s.why})`;
    case 'parallel': return `${s.token} in --parallel (${s.why})`;
    case 'fsdp': return s.example ? `${FSDP_MORE_GPUS}, e.g. --gpus ${s.example.gpus} --parallel ${s.example.parallel}` : `${FSDP} (add fsdp to --parallel)`;
    case 'advice': return s.text;
  }
}

/**
 * The suggestion as a scenario's fields: "set inference.dtype: fp8 — …", "t5=fsdp in the pool's parallel — …".
 * `fieldAt` gives the path to name for a field: a pool that sets an inference knob itself overrides the scenario's
 * `inference:` (the caller names deployment[.i].inference.<knob> there).
 */
export function fieldText(s: FitSuggestion, fieldAt: (field: string) => string = (field) => field): string {
  switch (s.kind) {
    case 'set': return `set ${fieldAt(s.field)}: ${s.value} — ${s.why}`;
    case 'parallel': return `${s.token} in the pool's parallel — ${s.why}`;
    case 'fsdp': return s.example ? `${FSDP_MORE_GPUS}, e.g. gpus_per_replica: ${s.example.gpus} with parallel: ${s.example.parallel}` : `${FSDP}: add fsdp to the pool's parallel`;
    case 'advice': return s.text;
  }
}
