/**
 * A memory verdict's suggestion (perf/memory-fit.ts) in the words of a scenario file: the cost model offers
 * command-line flags (`--offload`, `--dtype fp8`, `--gpus 8 --parallel ulysses=8,fsdp`), which a scenario that
 * does not fit its pool cannot take; the pool's fields say the same.
 */
const FLAG_TO_FIELD: [RegExp, string][] = [
  [/^--offload \((.*)\)$/, 'set inference.offload: true — $1'],
  [/^--parallel cpu-offload \((.*)\)$/, 'set parallel: cpu-offload — $1'],
  [/^--dtype fp8 \((.*)\)$/, 'set inference.dtype: fp8 — $1'],
  [/^--t5-cpu \((.*)\)$/, 'set inference.text_encoder: cpu — $1'],
  [/--gpus (\d+) --parallel (\S+)/, 'gpus_per_replica: $1 with parallel: $2'],
  [/ \(add fsdp to --parallel\)/, ': add fsdp to the pool\'s parallel'],
  [/ in --parallel \((.*)\)$/, ' in the pool\'s parallel — $1'],
];

export function scenarioFitHint(suggestion: string | undefined): string | undefined {
  if (suggestion === undefined) return undefined;
  let out = suggestion;
  for (const [re, to] of FLAG_TO_FIELD) out = out.replace(re, to);
  return out;
}
