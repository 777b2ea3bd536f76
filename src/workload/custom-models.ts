/**
 * User-defined DiTs: from a scenario's `models:` section (a base model plus overrides) or from a diffusers
 * `transformer/config.json` (WanTransformer3DModel, or the other families' classes: families/custom.ts).
 * Both become ModelSpecs in the zoo.
 */
import { readInputJson } from '../input-file.ts';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MODELS, WAN21_VAE, WAN22_VAE, UMT5_XXL, type ModelSpec } from './models.ts';
import { InputError, shown } from '../errors.ts';
import { configIntProblem, headSplitProblem } from './config-limits.ts';
import { SUPPORTED_TRANSFORMER_CLASSES, familyCustomModel, familyModelFromConfig, unreadKeysNote } from './families/custom.ts';

export interface CustomModelInput {
  id: string;
  name?: string;
  /** Model to start from (default wan2.1-t2v-14b). */
  base?: string;
  dit?: Partial<{ dim: number; ffn_dim: number; heads: number; head_dim: number; layers: number; in_channels: number; out_channels: number; patch: [number, number, number]; per_token_timestep: boolean; text_len: number }>;
  experts?: 1 | 2;
  boundary?: number;
  shift?: number;
  vae?: 'wan2.1-vae' | 'wan2.2-vae';
  defaults?: Partial<ModelSpec['defaults']>;
}

/**
 * A scenario's `models:` entry as a ModelSpec: from a diffusers config (path absolute or relative to `dir`;
 * the entry's id and name win) or from a base model and overrides.
 */
export function scenarioModel(m: CustomModelInput & { diffusers_config?: string }, dir = '.'): ModelSpec {
  if (!m.diffusers_config) return customModel(m);
  const fromFile = modelFromDiffusersConfig(resolve(dir, m.diffusers_config));
  return { ...fromFile, id: m.id, name: m.name ?? fromFile.name };
}

/** Builds a model from a base model and overrides (scenario `models:` entries). */
export function customModel(m: CustomModelInput): ModelSpec {
  const base = MODELS.find((x) => x.id === (m.base ?? 'wan2.1-t2v-14b'));
  if (!base) throw new InputError([{ source: 'models', path: 'base', message: `unknown base model "${m.base}"` }]);
  if (base.family !== 'wan') return familyCustomModel(base, m);
  const d = m.dit ?? {};
  const heads = d.heads ?? base.dit.heads;
  const dim = d.dim ?? (d.head_dim ? d.head_dim * heads : base.dit.dim);
  const split = headSplitProblem(dim, heads, 'models', 'dit.dim');
  if (split) throw new InputError([split]);
  const experts = m.experts ?? base.experts;
  return {
    ...base,
    id: m.id,
    name: m.name ?? m.id,
    // a user's DiT is not run by the Wan2.1 script: weights in bf16 unless the inference options say otherwise
    officialWeightDtype: 'bf16',
    dit: {
      ...base.dit,
      dim,
      heads,
      headDim: dim / heads,
      ffnDim: d.ffn_dim ?? base.dit.ffnDim,
      layers: d.layers ?? base.dit.layers,
      inChannels: d.in_channels ?? base.dit.inChannels,
      outChannels: d.out_channels ?? base.dit.outChannels,
      patch: d.patch ?? base.dit.patch,
      perTokenTimestep: d.per_token_timestep ?? base.dit.perTokenTimestep,
      textLen: d.text_len ?? base.dit.textLen,
    },
    experts,
    expertSchedule: experts === 2 ? { boundary: m.boundary ?? base.expertSchedule?.boundary ?? 0.875, shift: m.shift ?? base.expertSchedule?.shift ?? 12 } : undefined,
    vae: m.vae === 'wan2.2-vae' ? WAN22_VAE : m.vae === 'wan2.1-vae' ? WAN21_VAE : base.vae,
    textEncoder: UMT5_XXL,
    defaults: { ...base.defaults, ...m.defaults },
    sources: { ...base.sources, custom: `user-defined (base ${base.id})` },
  };
}

/**
 * Reads a diffusers WanTransformer3DModel `config.json`. A sibling `transformer_2/` makes it a two-expert
 * (A14B-style) model; `model_index.json` (boundary_ratio) and `scheduler/scheduler_config.json`
 * (flow_shift) are read when present. The VAE follows the latent channels (48 → Wan2.2 VAE).
 */
export function modelFromDiffusersConfig(file: string): ModelSpec {
  const path = resolve(file);
  const cfg: Record<string, unknown> = readInputJson(path, (message, hint): never => {
    throw new InputError([{ source: file, path: '', message, ...(hint ? { hint } : {}) }]);
  });
  // a config is one JSON object of keys; `null`, an array or a number read as one crashed on its first key
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) {
    throw new InputError([{ source: file, path: '', message: `expected a JSON object of the transformer's config keys, got ${Array.isArray(cfg) ? 'an array' : shown(cfg)}`, hint: 'give the transformer/config.json of a diffusers model folder' }]);
  }
  const num = (key: string, fallback?: number): number => {
    const v = cfg[key];
    if (typeof v === 'number') {
      const bad = configIntProblem(key, v);
      if (bad) throw new InputError([{ source: file, path: key, message: bad }]);
      return v;
    }
    if (fallback !== undefined && (v === undefined || v === null)) return fallback;
    throw new InputError([{ source: file, path: key, message: v === undefined ? `missing number "${key}" (expected a WanTransformer3DModel config)` : `expected a number for "${key}", got ${JSON.stringify(v)}` }]);
  };
  const cls = cfg._class_name;
  const root = dirname(dirname(path));
  if (cls !== undefined && cls !== 'WanTransformer3DModel') {
    if (typeof cls !== 'string' || !(SUPPORTED_TRANSFORMER_CLASSES as readonly string[]).includes(cls)) {
      throw new InputError([{ source: file, path: '_class_name', message: `unsupported transformer class "${String(cls)}"`, hint: `vgsim reads ${SUPPORTED_TRANSFORMER_CLASSES.join(', ')}` }]);
    }
    return familyModelFromConfig(cfg, cls, file, `custom:${basename(root)}`, `${basename(root)} (diffusers config)`, MODELS);
  }
  const heads = num('num_attention_heads');
  const headDim = num('attention_head_dim');
  const outChannels = num('out_channels', 16);
  const twoExperts = existsSync(join(root, 'transformer_2', 'config.json'));
  const readJson = (p: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(p, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const index = readJson(join(root, 'model_index.json'));
  const sched = readJson(join(root, 'scheduler', 'scheduler_config.json'));
  const patch = Array.isArray(cfg.patch_size) && cfg.patch_size.length === 3 ? (cfg.patch_size as [number, number, number]) : [1, 2, 2] as [number, number, number];
  const badPatch = patch.map((v) => (typeof v === 'number' ? configIntProblem('patch_size', v) : `expected a number, got ${JSON.stringify(v)}`)).find((x) => x);
  if (badPatch) throw new InputError([{ source: file, path: 'patch_size', message: badPatch }]);
  const m = customModel({
    id: `custom:${basename(root)}`,
    name: `${basename(root)} (diffusers config)`,
    base: outChannels === 48 ? 'wan2.2-ti2v-5b' : twoExperts ? 'wan2.2-t2v-a14b' : 'wan2.1-t2v-14b',
    dit: {
      dim: heads * headDim,
      heads,
      ffn_dim: num('ffn_dim'),
      layers: num('num_layers'),
      in_channels: num('in_channels', 16),
      out_channels: outChannels,
      patch,
    },
    experts: twoExperts ? 2 : 1,
    boundary: typeof index?.boundary_ratio === 'number' ? index.boundary_ratio : undefined,
    shift: typeof sched?.flow_shift === 'number' ? sched.flow_shift : undefined,
    vae: outChannels === 48 ? 'wan2.2-vae' : 'wan2.1-vae',
  });
  // the keys read above; any other is named in the estimate's notes (families/custom.ts unreadKeysNote)
  return { ...m, notes: unreadKeysNote(cfg, ['num_attention_heads', 'attention_head_dim', 'ffn_dim', 'num_layers', 'in_channels', 'out_channels', 'patch_size'], 'WanTransformer3DModel', m) };
}
