/**
 * The layering of docs/ARCHITECTURE.md, checked on the code: every import in src/ that crosses folders goes to a
 * lower layer (so there is no circle between folders), and no file outside the list below is over ~400 lines.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** docs/ARCHITECTURE.md's layers, bottom first; the ground floor is src/'s own files. */
const LAYERS: string[][] = [
  ['(root)', 'engine', 'metrics'],
  ['hardware'],
  ['workload'],
  ['parallel'],
  ['engines'],
  ['perf', 'deploy'],
  ['scenario'],
  ['economics'],
  ['serving'],
  ['studies'],
  ['report'],
  ['sweep', 'check', 'calibration', 'api'],
  ['docs'],
  ['serve'],
  ['cli'],
  ['(index)'],
];

/** Files still over the line (data catalogs are exempt by design); the list may only shrink. */
const LONG_FILES: Record<string, string> = {
  'hardware/gpus.ts': 'data catalog',
  'hardware/nodes.ts': 'data catalog',
};
const MAX_LINES = 420;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = resolve('src');
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split(sep);
  // src/index.ts is the library's public surface: it re-exports every layer, so it stands above them all
  return parts.length > 1 ? parts[0]! : parts[0] === 'index.ts' ? '(index)' : '(root)';
};
const layerOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

describe('architecture', () => {
  const files = sources(SRC);

  it('every folder of src/ has a layer', () => {
    expect([...new Set(files.map(folderOf))].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('imports across folders go down the layers only (no circle, no import against the layers)', () => {
    const against: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(dirname(f), m[1]!);
        const [a, b] = [folderOf(f), folderOf(target)];
        if (a !== b && layerOf(b) >= layerOf(a)) against.push(`${relative(SRC, f)} -> ${relative(SRC, target)}`);
      }
    }
    expect(against).toEqual([]);
  });

  it(`no file is over ${MAX_LINES} lines except the listed ones`, () => {
    const long = files.map((f) => [relative(SRC, f).split(sep).join('/'), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_LINES);
    expect(long.filter(([f]) => !(f in LONG_FILES))).toEqual([]);
  });
});
