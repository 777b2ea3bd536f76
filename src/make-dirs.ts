/**
 * Creating an output folder (`--out`, `--deploy`, reports): each missing folder made one at a time below the
 * nearest one that exists. `mkdirSync(dir, { recursive: true })` loops forever on Node 20 where the system will
 * not create the folder but says its parent is missing (under /proc); and a file in the way, or a parent that is a
 * file, is said as such here instead of as an errno.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** An output path the system will not make or write (a user's --out; the CLI reports it with exit 2). */
export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

/** Makes `dir` and any missing parents (as `mkdir -p`), or throws OutputPathError saying why it cannot (naming `flag`, the option that gave `dir`). */
export function makeDirs(dir: string, flag = '--out'): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) {
    throw new OutputPathError(at === target ? `${dir}: a file is in the way (an output folder is needed here); give another ${flag}` : `${dir}: ${at} is a file, not a folder`);
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue; // made meanwhile
      throw new OutputPathError(`${dir}: cannot create ${d} (${code ?? (e as Error).message}); give a folder you can write to`);
    }
  }
}
