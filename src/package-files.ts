/**
 * Where vgsim's own files live: the calibration data the cost model reads (profiles, power curves,
 * measured collectives, host rates), the vendored fonts, the scenario library, the JSON Schema and the web
 * UI. They are found from the package root — the nearest folder above this module whose package.json is
 * vgsim's — so they resolve the same whether the code runs from src/ (tsx, tests), from the dist/ bundle
 * of a clone, or from an installed package; never from the current directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; ) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'vgsim') return dir;
      } catch {
        // not JSON: keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`vgsim: no package.json of vgsim above ${start}`);
    dir = up;
  }
}

/** Absolute path of the vgsim package (the folder holding its package.json). */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Absolute path of a file shipped with vgsim, e.g. packagePath('calibration', 'profiles', 'h100-sxm.json'). */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

/** vgsim's version, from its package.json. */
export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
