/**
 * Operator lists of the stages, built once per shape: a DiT forward, a VAE decode or encode, the text
 * encoder. The builders are pure functions of their inputs, so a process keeps each result and hands the
 * same (immutable) op list back — which also lets priceStageOnce price it once per device.
 * This is where the model family picks its builders: Wan's (dit.ts, vae.ts, text-encoder.ts) or the other
 * families' (workload/families/stages.ts).
 */
import { buildDitForward, type DitForward, type DitForwardOptions } from '../workload/dit.ts';
import { buildVaeDecode, type VaeDecodeOptions } from '../workload/vae.ts';
import { buildVaeEncode, type VaeEncodeOptions } from '../workload/vae-encode.ts';
import { buildTextEncode, type TextEncodeOptions } from '../workload/text-encoder.ts';
import { buildTinyVaeDecode } from '../workload/tiny-vae.ts';
import { isWanDit, type AnyDitSpec, type TextEncoderSpec, type VaeSpec } from '../workload/models.ts';
import type { StageBuilder } from '../workload/ops.ts';
import type { FamilyVaeSpec, TextEncoderStack } from '../workload/families/specs.ts';
import type { WalkOptions } from '../workload/families/vae-walk.ts';
import { buildFamilyDecode, buildFamilyDitForward, buildStackTextEncode, type StackEncodeOptions } from '../workload/families/stages.ts';
import type { DeviceModel } from './device.ts';
import type { GpuProfile } from './profile.ts';

function memo<K extends object, V>(cache: WeakMap<K, Map<string, V>>, owner: K, key: string, build: () => V): V {
  let m = cache.get(owner);
  if (!m) cache.set(owner, (m = new Map()));
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = build()));
  return v;
}

const dits = new WeakMap<AnyDitSpec, Map<string, DitForward>>();
export function ditForward(dit: AnyDitSpec, o: DitForwardOptions): DitForward {
  return memo(dits, dit, JSON.stringify(o), () => (isWanDit(dit) ? buildDitForward(dit, o) : buildFamilyDitForward(dit, o)));
}

/**
 * The decode's cuDNN workspace comes from the device's profile (and nothing else of the device), so decodes
 * are kept per profile: the devices of one GPU (power caps, launch modes, hosts) and the GPUs that borrow the
 * reference profile share one op list.
 */
const decodes = new WeakMap<GpuProfile, Map<string, StageBuilder>>();
export function vaeDecode(vae: VaeSpec, o: Omit<VaeDecodeOptions, 'convWorkspace'>, device: DeviceModel): StageBuilder {
  return memo(decodes, device.profile, JSON.stringify([vae.id, vae.decoderDim, vae.zDim, o]), () =>
    buildVaeDecode(vae, { ...o, convWorkspace: (kind, cin, cout, px, bytes, k) => device.convWorkspaceBytes(kind, o.tf32, cin, cout, px, bytes, k) }));
}

/** A non-Wan family's decode; the cuDNN workspace of each convolution from the profile, at the decode's dtype. */
export function familyVaeDecode(vae: FamilyVaeSpec, o: { t: number; h: number; w: number; tf32: boolean; shards: number; tiled: boolean }, device: DeviceModel): StageBuilder {
  const dtype = vae.id === 'mochi-vae' && o.shards > 1 ? 'bf16' : vae.dtype;
  return memo(decodes, device.profile, JSON.stringify([vae.id, o]), () => buildFamilyDecode(vae, { ...o, convWorkspace: familyConvWorkspace(device, dtype, o.tf32) }));
}

/** The cuDNN workspace of a family decoder's convolution, from the device's profile at the decode's dtype. */
export function familyConvWorkspace(device: DeviceModel, dtype: FamilyVaeSpec['dtype'], tf32: boolean): NonNullable<WalkOptions['convWorkspace']> {
  return (kind, cin, cout, px, bytes, k) => device.profile.convWorkspaceBytes(kind, dtype === 'fp32' ? 'fp32' : 'bf16', dtype === 'fp32' && tf32, cin, cout, px, k, bytes) ?? 0;
}

const tinyDecodes = new WeakMap<VaeSpec, Map<string, StageBuilder>>();
export function tinyVaeDecode(vae: VaeSpec, o: { t: number; h: number; w: number }): StageBuilder {
  return memo(tinyDecodes, vae, JSON.stringify(o), () => buildTinyVaeDecode(vae, o));
}

const encodes = new WeakMap<VaeSpec, Map<string, StageBuilder>>();
export function vaeEncode(vae: VaeSpec, o: VaeEncodeOptions): StageBuilder {
  return memo(encodes, vae, JSON.stringify(o), () => buildVaeEncode(vae, o));
}

const stacks = new WeakMap<TextEncoderStack, Map<string, StageBuilder>>();
export function stackTextEncode(te: TextEncoderStack, o: StackEncodeOptions): StageBuilder {
  return memo(stacks, te, JSON.stringify(o), () => buildStackTextEncode(te, o));
}

const texts = new WeakMap<TextEncoderSpec, Map<string, StageBuilder>>();
export function textEncode(te: TextEncoderSpec, o: TextEncodeOptions): StageBuilder {
  return memo(texts, te, JSON.stringify(o), () => buildTextEncode(te, o));
}
