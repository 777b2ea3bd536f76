/**
 * A user's diffusers transformer/config.json as `vgsim estimate --model` reads it: malformed files get an input
 * error that says where and what (exit 2), never a JavaScript message or a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../src/errors.ts';
import { jsonErrorAt } from '../src/input-file.ts';
import { modelFromDiffusersConfig } from '../src/workload/custom-models.ts';
import { runVgsim } from '../src/docs/readme-commands.ts';
import { estimateInput } from '../src/perf/estimate-input.ts';
import { estimate } from '../src/api/estimate.ts';

const dir = mkdtempSync(join(tmpdir(), 'vgsim-cfg-input-'));
/** Writes `text` as <dir>/<name>/transformer/config.json and returns its path. */
function config(name: string, text: string): string {
  mkdirSync(join(dir, name, 'transformer'), { recursive: true });
  const file = join(dir, name, 'transformer', 'config.json');
  writeFileSync(file, text);
  return file;
}
function issueOf(file: string) {
  try {
    modelFromDiffusersConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).issues[0]!;
  }
  return undefined;
}

describe('a diffusers config that is not one', () => {
  it('a config that is null, an array or a number is an input error (null crashed on its first key: exit 1)', () => {
    expect(issueOf(config('null', 'null'))!.message).toMatch(/^expected a JSON object of the transformer's config keys, got null/);
    expect(issueOf(config('array', '[1, 2]'))!.message).toMatch(/got an array/);
    expect(issueOf(config('number', '7'))!.message).toMatch(/got 7/);
    const run = runVgsim(`estimate --model ${config('null-cli', 'null')} --gpu h100-sxm`);
    expect(run.code).toBe(2);
    expect(run.output).not.toMatch(/Cannot read properties/);
  });
  it('a JSON syntax error says the line and column, not a character offset', () => {
    const file = config('syntax', '{\n  "_class_name": "LTXVideoTransformer3DModel",\n  "num_layers": 28,,\n}\n');
    expect(issueOf(file)!.message).toMatch(/^not valid JSON at line 3, column 20: /);
    expect(issueOf(file)!.message).not.toMatch(/position/);
    // a message without an offset is kept as it is
    expect(jsonErrorAt('{', 'Unexpected end of JSON input')).toBe(': Unexpected end of JSON input');
  });
  it('a diffusers model folder given as --model names the config file to give (it listed the zoo ids)', () => {
    const run = runVgsim(`estimate --model ${join(dir, 'some-model')} --gpu h100-sxm`);
    expect(run.code).toBe(2);
    expect(run.output).toContain(`(a diffusers config is given as its file: ${join(dir, 'some-model')}/transformer/config.json)`);
    expect(runVgsim(`estimate --model ${join(dir, 'some-model', 'transformer')}/ --gpu h100-sxm`).output).toContain(`${join(dir, 'some-model')}/transformer/config.json)`);
  });
  it('a missing key of a family class is "missing", not "got undefined"', () => {
    const issue = issueOf(config('missing', JSON.stringify({ _class_name: 'LTXVideoTransformer3DModel', num_attention_heads: 32, attention_head_dim: 64 })))!;
    expect(issue).toMatchObject({ path: 'num_layers', message: 'missing number "num_layers" (a LTXVideoTransformer3DModel config sets it)' });
    expect(issueOf(config('string', JSON.stringify({ _class_name: 'MochiTransformer3DModel', num_attention_heads: '24', attention_head_dim: 128, num_layers: 48 })))!.message).toMatch(/got "24"$/);
  });
});

describe('a diffusers config whose code runs at one size', () => {
  // CogVideoX-5B-I2V's transformer config (huggingface.co/THUDM/CogVideoX-5b-I2V/transformer/config.json)
  const i2v = { _class_name: 'CogVideoXTransformer3DModel', attention_head_dim: 64, in_channels: 32, max_text_seq_length: 226, num_attention_heads: 48, num_layers: 42, out_channels: 16, patch_size: 2, sample_frames: 49, sample_height: 60, sample_width: 90, text_embed_dim: 4096, time_embed_dim: 512, use_learned_positional_embeddings: true, use_rotary_positional_embeddings: true };
  it('a learned position table (use_learned_positional_embeddings) refuses another resolution, as diffusers does (1360x768 was priced: 24.5 min)', () => {
    const file = config('cog-i2v', JSON.stringify(i2v));
    const m = modelFromDiffusersConfig(file);
    expect(m.onlySize).toMatchObject({ width: 720, height: 480 });
    expect(m.defaults).toMatchObject({ width: 720, height: 480 });
    let issue;
    try {
      estimateInput({ model: file, gpu: 'h100-sxm', resolution: '1360x768' });
    } catch (e) {
      issue = (e as InputError).issues.find((i) => i.path === 'resolution');
    }
    expect(issue?.message).toMatch(/runs at 720x480 only \(use_learned_positional_embeddings: .*CogVideoXPatchEmbed refuses any other size\)/);
    // its own size runs; a config without the table runs at any size the shape rules allow
    expect(() => estimateInput({ model: file, gpu: 'h100-sxm', resolution: '720x480' })).not.toThrow();
    const rope = config('cog-rope', JSON.stringify({ ...i2v, in_channels: 16, use_learned_positional_embeddings: false }));
    expect(modelFromDiffusersConfig(rope).onlySize).toBeUndefined();
    expect(() => estimateInput({ model: rope, gpu: 'h100-sxm', resolution: '1360x768' })).not.toThrow();
  });
  it('an image-to-video config (in_channels 32 > out_channels 16) says the image\'s VAE encode is not priced; a text-to-video one does not', () => {
    const note = (m: { notes?: string[] }) => (m.notes ?? []).find((n) => /image-to-video/.test(n));
    expect(note(modelFromDiffusersConfig(config('cog-i2v-note', JSON.stringify(i2v))))).toMatch(/in_channels 32 > out_channels 16: an image-to-video checkpoint .*VAE encode of the conditioning image is not priced/);
    expect(note(modelFromDiffusersConfig(config('cog-t2v-note', JSON.stringify({ ...i2v, in_channels: 16, use_learned_positional_embeddings: false }))))).toBeUndefined();
  });
});

describe('the keys of a config vgsim does not read', () => {
  it('are named in the estimate\'s notes, so a fine-tune\'s extra key (num_kv_heads) is not priced silently as the base model', () => {
    const ltx = JSON.parse(readFileSync('test/fixtures/diffusers-ltx13b/transformer/config.json', 'utf8')) as Record<string, unknown>;
    const file = config('ltx-gqa', JSON.stringify({ ...ltx, num_kv_heads: 8 }));
    const notes = estimate({ model: file, gpu: 'h100-sxm' }).warnings;
    const note = notes.find((w) => /config keys not read/.test(w))!;
    expect(note).toMatch(/^ltx-gqa \(diffusers config\): LTXVideoTransformer3DModel config keys not read, taken as ltx-video-13b has them: .*\bnum_kv_heads\b/);
    // the keys it reads are not listed, nor the "_" metadata
    expect(note).not.toMatch(/num_layers|num_attention_heads|_diffusers_version|_class_name/);
    // a Wan config the same way
    expect(estimate({ model: 'test/fixtures/diffusers-wan/transformer/config.json', gpu: 'h100-sxm', inference: { offload: true } }).warnings.join('\n')).toMatch(/WanTransformer3DModel config keys not read, taken as wan2\.2-t2v-a14b has them: .*\bimage_dim\b/);
  });
});

