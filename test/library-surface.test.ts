/**
 * The library's declarations (dist/index.d.ts, rolled up from src/ by dts-bundle-generator) keep the names
 * src/index.ts exports: a type exported there must not share its name with a type declared in another module,
 * or the bundle carries both, renames one `Name$1` and exports both as `Name`. That happened to CatalogKind
 * (the listing's "gpus" | … and the hardware catalog's "gpu" | …, pulled in by UnknownIdError): tsc without
 * skipLibCheck failed on the package's own d.ts (TS2484) and `listing(k as CatalogKind)` did not type-check.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listing, CATALOG_KINDS } from '../src/index.ts';
import { issuesOf } from './support/issues.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('library surface', () => {
  it('every type src/index.ts exports is declared in one module only', () => {
    const declared = new Map<string, string[]>();
    for (const file of sources('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^export (?:declare )?(?:abstract )?(?:type|interface|class|enum) (\w+)/gm)) {
        declared.set(m[1]!, [...(declared.get(m[1]!) ?? []), file]);
      }
    }
    const index = readFileSync('src/index.ts', 'utf8');
    const exported = [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((n) => n.trim().replace(/^type /, '').split(/ as /).pop()!.trim()).filter(Boolean));
    expect(exported).toContain('CatalogKind');
    const twice = exported.filter((n) => (declared.get(n)?.length ?? 0) > 1).map((n) => `${n}: ${declared.get(n)!.join(', ')}`);
    expect(twice).toEqual([]);
  });

  it('listing() with a kind it does not know throws an InputError naming the kinds (it returned undefined)', () => {
    const issues = issuesOf(() => listing('gpu' as never));
    expect(issues).toEqual([{ source: 'listing', path: 'kind', message: 'unknown catalog kind "gpu"', hint: `one of ${CATALOG_KINDS.join(', ')}` }]);
  });
});
