import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIBRARY_DIR, resolveScenarioFile } from '../src/scenario/library.ts';

describe('scenario arguments resolve to the library', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('a folder named like a library scenario (left by `run default --out default`) does not hide it', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-lib-'));
    mkdirSync(join(d, 'default'));
    process.chdir(d);
    expect(resolveScenarioFile('default')).toBe(join(LIBRARY_DIR, 'default.yaml'));
  });

  it('a file of that name in the current folder wins over the library', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-lib-'));
    writeFileSync(join(d, 'default'), 'name: mine\n');
    process.chdir(d);
    expect(resolveScenarioFile('default')).toBe('default');
  });

  it('a folder that names no library scenario stays itself (so its error says it is a folder)', () => {
    const d = mkdtempSync(join(tmpdir(), 'vgsim-lib-'));
    mkdirSync(join(d, 'mine'));
    process.chdir(d);
    expect(resolveScenarioFile('mine')).toBe('mine');
  });
});
