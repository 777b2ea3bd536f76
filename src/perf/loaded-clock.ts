/**
 * The clock of compute kernels in a loaded stage, relative to the profile's kernel grid.
 *
 * The H100 profile's sustained runs loop one kernel for 30 s at the 700 W limit: the 8192³ BF16 GEMM falls to
 * 1,370 MHz and 0.947 of its short-run rate, cuDNN attention to 0.961; memory-bound and conv3d loops do not slow
 * (calibration/profiles/h100-sxm.json `sustained`). vgsim used to apply their mean (0.977) to every compute kernel.
 * A DiT forward is not such a loop: its memory-bound kernels draw ~530 W and keep the board's mean power near or
 * under the limit. Measured (calibration/host/forward_sustained.py → calibration/host/forward-sustained-h100-sxm.json,
 * H100 SXM, 2026-12-06), forwards looped for 20-25 s:
 *   - the served 1.3B 832×480×17f forward held 1,980 MHz at 643 W, never capped;
 *   - the 1.3B at 81 frames and the 14B forwards were capped at 1,725-1,881 MHz (680-700 W);
 *   - every one ran within 0.5% of its first forwards, where the GEMM loop beside them slowed 17%;
 *   - their loaded kernels, by kind, sit within ±5% of the profile's rates with no slowdown applied (totals within
 *     1.6%), and 1.5-3% over with the loops' factor.
 * The held-out sustained forward of calibration/validation/h100-sxm.json (the 14B at 832×480×81f, 33 s at 690 W,
 * 1,654 MHz: 4.170 s a forward) is priced +0.6% at the grid's rates and +2.2% with the factor
 * (test/loaded-clock.test.ts). So the profile's grid rates, themselves timed in short runs at whatever clock the
 * limit allowed, are the rates of a loaded stage: no further slowdown applies. Other Hopper GPUs keep their own
 * power limit against the H100's (cross-gpu.ts: a 350 W H100 PCIe still runs below its short-run clock).
 * Where this is not measured: a stage that is nearly all GEMM or attention (no vgsim workload is) would run at the
 * loops' clock, slower than priced.
 */
export const LOADED_STAGE_FACTOR = 1;
