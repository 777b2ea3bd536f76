// PyTorch elementwise kernels bound by the SMs' per-element work rather than by DRAM: nearest upsampling, replication
// padding and the non-vectorized TensorIterator loop. The rates are per SM, calibrated on the HunyuanVideo decoder
// call's kernel profile (H100) and checked on the CogVideoX call's (replication padding: on the Mochi call's).

/**
 * PyTorch's nearest-neighbour upsampling on CUDA (F.interpolate(mode='nearest') of a 5-D tensor:
 * pytorch/pytorch aten/src/ATen/native/cuda/UpSampleNearest3d.cu, upsample_nearest3d_out_frame) runs one thread
 * per OUTPUT element: each thread splits its flat index into (c, z, y, x) with integer divisions, maps each to its
 * source index and does one scalar load and one scalar (2-byte at 16 bits) store. Nothing is vectorized, so the
 * kernel is bound by the SMs' integer/address arithmetic per element, far below DRAM bandwidth: its time goes with
 * the output elements, not the bytes.
 *
 * Output elements per second per SM: 0.603·10⁹, CALIBRATED on the HunyuanVideo decoder call's kernel profile on
 * an H100 (fp16, latent 17×32×32; calibration/families/kernel-profiles/h100-sxm.json, families_profile.py): its 5
 * upsample_nearest3d_out_frame calls (up0 in space; up1 and up2 the first frame and the rest apart, then
 * concatenated) write 512·17·64·64 + 512·33·128·128 + 256·65·256·256 = 1,402.9·10⁶ elements in 17.629 ms →
 * 79.6·10⁹ elements/s over 132 SMs. VALIDATED on the CogVideoX decoder call of the same profile (bf16, 40 calls:
 * SpatialNorm3D's latent interpolations and the 3 up-block interpolations; test/profile-kernel-rates.test.ts).
 * Other GPUs take the H100's per-SM rate (an SM-level figure; extrapolated).
 */
export const NEAREST_UPSAMPLE_ELEMS_PER_SM_S = 1402.9e6 / 17.629e-3 / 132;

/** Seconds the SMs of a GPU (`sms`) need at least for `count` executions of an upsampling that writes `outElements` each; 0 if the op does not say. */
export function nearestUpsampleSeconds(op: { nearestOutElements?: number; count: number }, sms: number): number {
  return op.nearestOutElements === undefined ? 0 : (op.count * op.nearestOutElements) / (NEAREST_UPSAMPLE_ELEMS_PER_SM_S * sms);
}

/**
 * PyTorch's replication padding on CUDA (F.pad(mode='replicate') of a 5-D tensor: pytorch/pytorch
 * aten/src/ATen/native/cuda/ReplicationPadding.cu, replication_pad_forward_kernel3d) has the same structure as
 * nearest upsampling: one thread per OUTPUT element splits its flat index into (z, y, x) with integer divisions and
 * modulos, clamps each to the input, and does one scalar load and one scalar store. Its time goes with the output
 * elements, far below DRAM bandwidth (the causal convs of the HunyuanVideo and Mochi decoders pad every conv input).
 *
 * Output elements per second per SM: 0.990·10⁹, CALIBRATED on the HunyuanVideo decoder call's kernel profile on an
 * H100 (fp16, latent 17×32×32; calibration/families/kernel-profiles/h100-sxm.json): its 35 replication_pad3d calls
 * (33 causal 3×3×3 convs, 2 kernel-1 shortcut convs padded by zeros) write 8,848.1·10⁶ elements in 67.723 ms (the
 * re-profile in h100-sxm-vae-2.json: 69.028 ms, 1.9% apart). CHECKED on the Mochi decoder call (fp32, latent 28×34×31;
 * h100-sxm-vae-2.json): 38 calls, 14,709.7·10⁶ elements, predicted 112.6 ms against 128.3 ms (−12%: its 4-byte
 * elements retire slower per thread than fp16's; test/profile-kernel-rates.test.ts). Other GPUs take the H100's
 * per-SM rate (an SM-level figure; extrapolated).
 */
export const REPLICATION_PAD_ELEMS_PER_SM_S = 8_848.1e6 / 67.723e-3 / 132;

/** Seconds the SMs of a GPU (`sms`) need at least for `count` replication pads that write `replicationPadOutElements` each; 0 if the op does not say. */
export function replicationPadSeconds(op: { replicationPadOutElements?: number; count: number }, sms: number): number {
  return op.replicationPadOutElements === undefined ? 0 : (op.count * op.replicationPadOutElements) / (REPLICATION_PAD_ELEMS_PER_SM_S * sms);
}

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
 * its 117 bias adds (12.041 ms) (test/profile-kernel-rates.test.ts). Other GPUs take the H100's per-SM rate
 * (an SM-level figure; extrapolated).
 */
export const STRIDED_ELEMENTWISE_GBS_PER_SM = (2 * 13_026.9e6) / 19.2e-3 / 132 / 1e9;

/** Bandwidth (GB/s) of PyTorch's non-vectorized elementwise loop on a GPU of `sms` SMs. */
export function stridedElementwiseGBs(sms: number): number {
  return STRIDED_ELEMENTWISE_GBS_PER_SM * sms;
}
