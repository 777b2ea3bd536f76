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
 * Measured, not derived: calibration/host/fastvideo_prelude_probe.py runs the Wan DiT of
 * calibration/wan_reference.py with FastVideo's tables built and copied before every forward and the tensor
 * literal after every block's self-attention, against the same forwards without them: Wan2.1-1.3B at 32,760 tokens
 * and Wan2.2-TI2V-5B at 27,280, steps of one forward and of two (1.3B / 5B, ms a forward). Three H100 SXM hosts
 * (16 vCPUs each):
 *
 *   host A (fastvideo-prelude-h100-sxm.json):   one-forward steps 32.0 / 39.4, two-forward steps 61.0 / 59.8
 *   host B (fastvideo-prelude-h100-sxm-b.json): 18.8 / 3.6, 9.0 / 3.9
 *   host C (fastvideo-prelude-h100-sxm-c.json): 13.4 / 7.3, 6.1 / 6.5
 *
 * Hosts B and C lose about what the pieces add up to (CPU tables 1–12 ms, the two pageable copies 2–5 ms, a
 * tensor literal 13–20 µs with the GPU idle); host A's samples carry stalls of up to 90 ms around the CPU tables
 * that its CPU-only timing of the same tables does not show. Which kind of host a user has is unknown, so the
 * price is the mean of the twelve (21.7 ms a forward), one constant for both step patterns (the hosts do not order
 * them the same way), and the estimate states the 3.6–61 ms range. The CPU tables' own growth with tokens
 * (0.29 µs a token, least squares over the three hosts' three latent grids) is added beyond the measured forwards'
 * mean. torch.compile of the whole transformer (FastVideo's enable_torch_compile) makes the literal a graph
 * constant and traces the tables: not priced there (not measured).
 */
import type { EngineProfile } from '../engines/profiles.ts';

/** The probe's whole-forward differences on the three hosts and the grids they were measured at (module doc). */
export const FASTVIDEO_HOST_SYNC_MEASURED = {
  /** Mean of the twelve whole-forward differences: 3 hosts × 2 models × (one-forward, two-forward steps). */
  perForwardS: (0.032 + 0.0394 + 0.061 + 0.0598 + 0.0188 + 0.0036 + 0.009 + 0.0039 + 0.0134 + 0.0073 + 0.0061 + 0.0065) / 12,
  /** The smallest and largest of the twelve. */
  rangeS: [0.0036, 0.061] as const,
  /** Tokens of the two measured forwards (32,760 and 27,280). */
  tokens: (32760 + 27280) / 2,
  /** The CPU tables' seconds per token (through the origin over the hosts' 27,280-, 32,760- and 75,600-token grids). */
  cpuTablesPerTokenS: 0.2898e-6,
  source: 'calibration/host/fastvideo-prelude-h100-sxm.json, -b.json and -c.json (three H100 SXM hosts, torch 2.11.0+cu130, 2026-12-06)',
} as const;

/**
 * Seconds per denoising step the engine's host syncs leave exposed, for `forwardsPerStep` forwards of
 * `tokensPerRank` tokens each on one GPU. Zero for engines without host syncs and for compiled forwards.
 */
export function hostSyncSecondsPerStep(engine: EngineProfile, compiled: boolean, forwardsPerStep: number, tokensPerRank: number): number {
  if (!engine.hostSync || compiled || forwardsPerStep < 1) return 0;
  const m = FASTVIDEO_HOST_SYNC_MEASURED;
  return forwardsPerStep * Math.max(0, m.perForwardS + m.cpuTablesPerTokenS * (tokensPerRank - m.tokens));
}
