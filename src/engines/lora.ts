/**
 * A LoRA adapter on the DiT, as the engine runs it. Merged into the weights (diffusers' `fuse_lora()`, an
 * engine's merge at load, or a merged checkpoint) it costs nothing per call. Loaded unfused through PEFT —
 * diffusers' `load_lora_weights()` without `fuse_lora()`, and the engines built on diffusers pipelines — every
 * adapted linear runs, after its own GEMM (huggingface/peft src/peft/tuners/lora/layer.py, Linear.forward):
 *
 *     result = result + lora_B(lora_A(dropout(x))) * scaling
 *
 * two skinny GEMMs (rows × rank × in, rows × out × rank), a multiply by the Python float `scaling` (a new
 * rows × out tensor) and the add (another), with dropout the identity at inference. vgsim adapts every linear
 * of every block (self- and cross-attention q, k, v, o and both FFN layers), the target modules of Wan LoRAs
 * such as LightX2V's distill LoRAs and FusionX. Which engines run it so: EngineProfile.unfusedLora (profiles.ts).
 */
import { InputError } from '../errors.ts';
import type { DitSpec } from '../workload/models.ts';

export interface LoraSpec {
  rank: number;
  /** Merged into the weights: no per-call cost. */
  fused: boolean;
}

/** "256" (unfused) or "256,fused" (merged into the weights). */
export function parseLora(text: string, source = '--lora'): LoraSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return undefined;
  const [head, ...rest] = t.split(',').map((s) => s.trim());
  const rank = Number(head);
  const bad = (message: string): never => {
    throw new InputError([{ source, path: 'lora', message, hint: 'a rank, e.g. 256 (loaded unfused, PEFT), or 256,fused (merged into the weights)' }]);
  };
  if (!Number.isInteger(rank) || rank < 1 || rank > 4096) bad(`the LoRA rank must be a whole number from 1 to 4096, got "${head}"`);
  let fused = false;
  for (const p of rest) {
    if (p === 'fused') fused = true;
    else if (p === 'unfused') fused = false;
    else bad(`unknown LoRA setting "${p}"`);
  }
  return { rank, fused };
}

/**
 * Parameters of a rank-r LoRA on every block linear of a Wan DiT (lora_A r × in + lora_B out × r each): self-
 * and cross-attention q, k, v, o (dim → dim), I2V's image k, v (dim → dim), ffn.0 (dim → ffn) and ffn.2.
 */
export function loraParams(dit: Pick<DitSpec, 'dim' | 'ffnDim' | 'layers' | 'imageTokens'>, rank: number): number {
  const squares = 8 + (dit.imageTokens ? 2 : 0);
  return dit.layers * rank * (squares * 2 * dit.dim + 2 * (dit.dim + dit.ffnDim));
}
