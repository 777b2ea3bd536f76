/**
 * Host-side dispatch of eager PyTorch: what one launched kernel costs the CPU in a real model forward.
 *
 * The profile's launch microbenchmark (`launch_overhead_us.eager_per_kernel`) times `x.add_(1)` on one
 * element: one ATen op per kernel. A real eager forward issues about five ATen ops per kernel (views,
 * reshapes, autocast casts, `nn.Module` calls, ops that launch nothing), so each launched kernel costs the
 * host more than the microbenchmark's op.
 *
 * Calibration (calibration/host/forward-host-h100-sxm.json, calibration/host/forward_host_probe.py, H100 SXM
 * host, torch 2.11): Wan2.1-1.3B's DiT forward (wan_reference.py under bf16 autocast, as the serving harness
 * runs it) at 16 tokens, where every kernel is tiny and the GPU waits on the host, takes 59.6–69.7 ms (mean
 * 64.6 ms) for 2,749 kernels and 14,141 ATen ops: 23.5 µs per kernel.
 *
 * Check on a second H100 host (forward-host-h100-sxm-b.json, not fitted): 25.5 µs per kernel (+8.5%), while
 * the `x.add_(1)` microbenchmark moved from 10.3 to 7.6 µs between the two hosts, so the forward's cost per
 * kernel is kept as measured rather than as a multiple of the profile's microbenchmark. The same file's
 * 2,550- and 7,800-token forwards and the GPU serving traces (calibration/serving/traces/gpu1) are further
 * checks (test/host-dispatch.test.ts). A third host (forward-host-h100-sxm-c.json, medians over 30 reps) gives
 * 21.3 µs at 16 tokens and 24.4–25.3 µs at 288 and 2,550 tokens (where the GPU still waits on the host): every
 * served shape's activations pass the caching allocator's 1 MB small-pool blocks, and the host issues each kernel
 * 10–20% slower than at 16 tokens. That is within the spread between hosts, so the constant stays the 16-token
 * value of host A.
 *
 * Other code paths (other families' reference code, VAE decoders, engines' own modules) are assumed to
 * dispatch like the Wan DiT; CUDA graphs replay without Python and keep the profile's graph cost.
 */
export const EAGER_HOST_PER_KERNEL_S = 23.5e-6;

/**
 * Host time per launched kernel (s) on `device`: eager PyTorch at the host's own measured cost when the scenario
 * gives one (`inference.host_dispatch_us`), else as measured above; CUDA graphs at the profile's replay cost.
 */
export function hostSecondsPerKernel(device: { readonly launch: 'eager' | 'graph'; readonly cpuLaunchS: number; readonly hostDispatchS?: number }): number {
  return device.launch === 'eager' ? device.hostDispatchS ?? EAGER_HOST_PER_KERNEL_S : device.cpuLaunchS;
}
