/**
 * PyTorch's generic elementwise loop (TensorIterator's non-vectorized elementwise_kernel<128, 4>: 4 elements per
 * thread, each addressed through an OffsetCalculator of the operands' strides) runs whenever an operand is not a
 * plain contiguous buffer: a broadcast (cuDNN convolution's separate bias add, `output.add_(bias.reshape(1, -1,
 * 1, 1, 1))`), or a copy into a strided destination (torch.cat of inputs that are not all contiguous falls back to
 * one `copy_` per input into a narrow() of the output). The vectorized path (vectorized_elementwise_kernel<8>)
 * streams contiguous tensors near DRAM bandwidth (~2.9-3.0 TB/s on an H100, the profile's copy/add rows); this
 * one does not.
 *
 * Bytes (read + write) per second per SM: 10.28 GB/s, CALIBRATED on the HunyuanVideo decoder call's kernel
 * profile on an H100 (fp16, latent 17×32×32; calibration/families/kernel-profiles/h100-sxm.json): its convolution
 * bias adds (aten::add_, 38 calls, 19.200 ms; vgsim's op list has 35 convolutions writing 13,026.9 MB, read and
 * written once each by the add → 26,053.7 MB; the 3 further add_ calls are left in the time, so the rate is if
 * anything low) → 1,357 GB/s over 132 SMs. VALIDATED on the CogVideoX decoder call of the same profile (bf16):
 * its 38 causal-conv torch.cat calls (a slice of the first frame twice, then the input: aten::cat 4.247 ms) and
 * its 117 bias adds (12.041 ms) (test/strided-elementwise.test.ts). Other GPUs take the H100's per-SM rate
 * (an SM-level figure; extrapolated).
 */
export const STRIDED_ELEMENTWISE_GBS_PER_SM = (2 * 13_026.9e6) / 19.2e-3 / 132 / 1e9;

/** Bandwidth (GB/s) of PyTorch's non-vectorized elementwise loop on a GPU of `sms` SMs. */
export function stridedElementwiseGBs(sms: number): number {
  return STRIDED_ELEMENTWISE_GBS_PER_SM * sms;
}
