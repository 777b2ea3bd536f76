/**
 * Operator lists of the stages, built once per shape: a DiT forward, a VAE decode or encode, the text
 * encoder. The builders are pure functions of their inputs, so a process keeps each result and hands the
 * same (immutable) op list back — which also lets priceStageOnce price it once per device.
 */
import { buildDitForward, type DitForward, type DitForwardOptions } from '../workload/dit.ts';
import { buildVaeDecode, type VaeDecodeOptions } from '../workload/vae.ts';
import { buildVaeEncode, type VaeEncodeOptions } from '../workload/vae-encode.ts';
import { buildTextEncode, type TextEncodeOptions } from '../workload/text-encoder.ts';
import { buildTinyVaeDecode } from '../workload/tiny-vae.ts';
import type { DitSpec, TextEncoderSpec, VaeSpec } from '../workload/models.ts';
import type { StageBuilder } from '../workload/ops.ts';
import type { DeviceModel } from './device.ts';

function memo<K extends object, V>(cache: WeakMap<K, Map<string, V>>, owner: K, key: string, build: () => V): V {
  let m = cache.get(owner);
  if (!m) cache.set(owner, (m = new Map()));
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = build()));
  return v;
}

const dits = new WeakMap<DitSpec, Map<string, DitForward>>();
export function ditForward(dit: DitSpec, o: DitForwardOptions): DitForward {
  return memo(dits, dit, JSON.stringify(o), () => buildDitForward(dit, o));
}

/** The decode's cuDNN workspace comes from the device's profile, so decodes are kept per device. */
const decodes = new WeakMap<DeviceModel, Map<string, StageBuilder>>();
export function vaeDecode(vae: VaeSpec, o: Omit<VaeDecodeOptions, 'convWorkspace'>, device: DeviceModel): StageBuilder {
  return memo(decodes, device, JSON.stringify([vae.id, vae.decoderDim, vae.zDim, o]), () =>
    buildVaeDecode(vae, { ...o, convWorkspace: (kind, cin, cout, px, bytes, k) => device.convWorkspaceBytes(kind, o.tf32, cin, cout, px, bytes, k) }));
}

const tinyDecodes = new WeakMap<VaeSpec, Map<string, StageBuilder>>();
export function tinyVaeDecode(vae: VaeSpec, o: { t: number; h: number; w: number }): StageBuilder {
  return memo(tinyDecodes, vae, JSON.stringify(o), () => buildTinyVaeDecode(vae, o));
}

const encodes = new WeakMap<VaeSpec, Map<string, StageBuilder>>();
export function vaeEncode(vae: VaeSpec, o: VaeEncodeOptions): StageBuilder {
  return memo(encodes, vae, JSON.stringify(o), () => buildVaeEncode(vae, o));
}

const texts = new WeakMap<TextEncoderSpec, Map<string, StageBuilder>>();
export function textEncode(te: TextEncoderSpec, o: TextEncodeOptions): StageBuilder {
  return memo(texts, te, JSON.stringify(o), () => buildTextEncode(te, o));
}
