/**
 * Host work an engine's eager DiT forward makes the GPU wait for (EngineProfile.hostSync), per denoising step.
 *
 * FastVideo (hao-ai-lab/FastVideo@7d8cf38, the FastWan blog's code) builds the RoPE tables on the CPU in every
 * forward (fastvideo/models/dits/wanvideo.py:624-635; layers/rotary_embedding.py:171-417: fp64 outer products, cos, sin,
 * two [tokens, 64] tables) and copies them to the GPU from pageable memory, which waits for the GPU's queue; and
 * every block runs `torch.tensor([0], device=...)` after its self-attention (wanvideo.py:342, :493), a pageable
 * copy after which PyTorch synchronises the stream. The host therefore never runs more than half a block ahead,
 * and each forward's CPU tables, copies and first kernels sit on the critical path: the second forward of a CFG
 * pair as well as the first (the step starts after `assert torch.isnan(latents).sum() == 0`, pipelines/stages/denoising.py:200,
 * another sync).
 *
 * Measured, not derived from the pieces: calibration/host/fastvideo_prelude_probe.py ran the Wan DiT of
 * calibration/wan_reference.py with FastVideo's tables before every forward and the tensor literal after every
 * block's self-attention, against the same forwards without them, on an H100 SXM and its 16-vCPU host
 * (calibration/host/fastvideo-prelude-h100-sxm.json): Wan2.1-1.3B at 32,760 tokens and Wan2.2-TI2V-5B at 27,280.
 * A step of one forward took 32.0 and 39.4 ms longer; a step of two forwards 61.0 and 59.8 ms longer per forward.
 * The pieces alone (tables 3–11 ms, the two copies 3.1 ms, a tensor literal 17 µs with the GPU idle) add up to
 * less than either: the whole-forward difference is what is priced. The two token counts gave the same within
 * their sample spread, so the measured exposure is one constant per step pattern; the CPU tables' own growth
 * with tokens (0.35 µs a token, least squares over three latent grids of the same file) is added beyond the
 * measured grids' mean. A host-speed constant: another host will differ, as the eager dispatch does
 * (host-dispatch.ts). torch.compile of the whole transformer (FastVideo's enable_torch_compile) makes the
 * literal a graph constant and traces the tables: not priced there (not measured).
 */
import type { EngineProfile } from '../engines/profiles.ts';

/** The probe's whole-forward differences (seconds) and the grids they were measured at (module doc). */
export const FASTVIDEO_HOST_SYNC_MEASURED = {
  /** One forward per step (distilled, no CFG): the two models' medians, 32.0 and 39.4 ms. */
  singleForwardS: (0.032 + 0.0394) / 2,
  /** Each forward of a two-forward step (sequential CFG): 61.0 and 59.8 ms. */
  pairForwardS: (0.061 + 0.0598) / 2,
  /** Tokens of the two measured forwards (32,760 and 27,280). */
  tokens: (32760 + 27280) / 2,
  /** The CPU tables' seconds per token (through the origin over the 27,280-, 32,760- and 75,600-token grids). */
  cpuTablesPerTokenS: 0.3456e-6,
  source: 'calibration/host/fastvideo-prelude-h100-sxm.json (H100 SXM host, torch 2.11.0+cu130, 2026-12-06)',
} as const;

/**
 * Seconds per denoising step the engine's host syncs leave exposed, for `forwardsPerStep` forwards of
 * `tokensPerRank` tokens each on one GPU. Zero for engines without host syncs and for compiled forwards.
 */
export function hostSyncSecondsPerStep(engine: EngineProfile, compiled: boolean, forwardsPerStep: number, tokensPerRank: number): number {
  if (!engine.hostSync || compiled || forwardsPerStep < 1) return 0;
  const m = FASTVIDEO_HOST_SYNC_MEASURED;
  const each = forwardsPerStep >= 2 ? m.pairForwardS : m.singleForwardS;
  const tables = m.cpuTablesPerTokenS * (tokensPerRank - m.tokens);
  return forwardsPerStep * Math.max(0, each + tables);
}
