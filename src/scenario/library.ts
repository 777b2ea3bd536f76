/**
 * The scenario library shipped with vgsim (scenarios/ in the package). A scenario argument that is not a
 * file in the current directory but names a library scenario — `default`, `default.yaml` or
 * `scenarios/default.yaml` — resolves to the package's copy, so the README's commands work from any folder
 * once vgsim is installed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { packagePath } from '../package-files.ts';
import { YamlSource } from './yaml-source.ts';

/** Absolute path of the package's scenario folder. */
export const LIBRARY_DIR = packagePath('scenarios');

export interface LibraryScenario {
  /** Path inside the library, e.g. "default.yaml" or "sweeps/load-and-replicas.yaml". */
  id: string;
  /** Absolute path. */
  file: string;
  name: string;
  description: string;
}

/**
 * The file a scenario argument means: itself if it exists and is not a folder, else the library scenario it
 * names, else itself. A folder is never a scenario, so `vgsim run default` still means the library's
 * default.yaml after `--out default` made a default/ folder here.
 */
export function resolveScenarioFile(arg: string): string {
  if (existsSync(arg) && !isFolder(arg)) return arg;
  const inLibrary = libraryFile(arg);
  return inLibrary ?? arg;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The absolute path of a library scenario named `id` (with or without .yaml / a leading scenarios/), if any. */
export function libraryFile(id: string): string | undefined {
  let rel = id.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^scenarios\//, '');
  if (!/\.ya?ml$/.test(rel)) rel += '.yaml';
  if (rel.split('/').some((p) => p === '..' || p === '')) return undefined;
  const file = join(LIBRARY_DIR, ...rel.split('/'));
  return existsSync(file) ? file : undefined;
}

/** Every scenario of the library (sub-folders included), sorted by id, with its name and first description line. */
export function libraryScenarios(): LibraryScenario[] {
  const out: LibraryScenario[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(f.name)) out.push(describe(p));
    }
  };
  walk(LIBRARY_DIR);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function describe(file: string): LibraryScenario {
  const id = relative(LIBRARY_DIR, file).split(sep).join('/');
  try {
    const v = YamlSource.read(file).value() as { name?: unknown; description?: unknown };
    return { id, file, name: typeof v.name === 'string' ? v.name : '', description: typeof v.description === 'string' ? v.description.split('\n')[0]!.slice(0, 100) : '' };
  } catch {
    return { id, file, name: '', description: '(invalid YAML)' };
  }
}
