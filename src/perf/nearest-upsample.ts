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
 * SpatialNorm3D's latent interpolations and the 3 up-block interpolations; test/nearest-upsample.test.ts).
 * Other GPUs take the H100's per-SM rate (an SM-level figure; extrapolated).
 */
export const NEAREST_UPSAMPLE_ELEMS_PER_SM_S = 1402.9e6 / 17.629e-3 / 132;

/** Seconds the SMs of a GPU (`sms`) need at least for `count` executions of an upsampling that writes `outElements` each; 0 if the op does not say. */
export function nearestUpsampleSeconds(op: { nearestOutElements?: number; count: number }, sms: number): number {
  return op.nearestOutElements === undefined ? 0 : (op.count * op.nearestOutElements) / (NEAREST_UPSAMPLE_ELEMS_PER_SM_S * sms);
}
