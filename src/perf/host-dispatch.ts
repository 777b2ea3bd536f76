/**
 * Host-side dispatch of eager PyTorch: what one launched kernel costs the CPU in a real model forward.
 *
 * The profile's launch microbenchmark (`launch_overhead_us.eager_per_kernel`) times `x.add_(1)` on one
 * element: one ATen op per kernel. A real eager forward issues about five ATen ops per kernel (views,
 * reshapes, autocast casts, `nn.Module` calls, ops that launch nothing), so each launched kernel costs the
 * host more than the microbenchmark's op. Measured on the H100 host of this workplace with torch 2.11
 * (calibration/host/forward-host-h100-sxm.json, calibration/host/forward_host_probe.py): Wan2.1-1.3B's DiT
 * forward (wan_reference.py under bf16 autocast, as the serving harness runs it) at 16 tokens, where every
 * kernel is tiny and the GPU waits on the host, takes 59.6–69.7 ms (mean 64.6 ms) for 2,749 kernels and
 * 14,141 ATen ops: 23.5 µs per kernel, 2.28× the same host's `x.add_(1)` (10.3 µs, measured before and
 * after). The ratio is a property of the code path, so it carries to hosts whose profile measured a faster or
 * slower `add_`.
 *
 * Calibrated on that 16-token forward only. The same file's 2,550- and 7,800-token forwards and the GPU
 * serving traces (calibration/serving/traces/gpu1) are the checks (test/host-dispatch.test.ts). Other code
 * paths (other families' reference code, VAE decoders, engines' own modules) are assumed to dispatch like
 * the Wan DiT; CUDA graphs replay without Python and keep the profile's graph cost.
 */
export const EAGER_DISPATCH_PER_LAUNCH = 2.28;
