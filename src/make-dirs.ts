/**
 * Creating an output folder (`--out`, `--deploy`, reports): each missing folder made one at a time below the
 * nearest one that exists. `mkdirSync(dir, { recursive: true })` loops forever on Node 20 where the system will
 * not create the folder but says its parent is missing (under /proc); and a file in the way, or a parent that is a
 * file, is said as such here instead of as an errno.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
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

/** What a file-system error on a path the user gave means, in words. */
export const FS_CAUSE: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'a folder where a file was expected',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  EFBIG: 'the file is too large for the file system',
  EIO: 'an input/output error on the device',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * An error writing the output `file` as an OutputPathError naming it: a write error (ENOSPC from a full disk)
 * carries no path of its own, so the CLI could only say "no space left" with exit 1. Other errors are returned as they are.
 */
export function outputError(file: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  const cause = err?.code !== undefined ? FS_CAUSE[err.code] : undefined;
  return cause ? new OutputPathError(`${file}: cannot write it: ${cause} (${err.code}${err.syscall ? ` on ${err.syscall}` : ''})`) : e;
}

/** writeFileSync for an output the user named; a failure is an OutputPathError naming `file` (exit 2). */
export function writeOutputFile(file: string, data: string | Uint8Array): void {
  try {
    writeFileSync(file, data);
  } catch (e) {
    throw outputError(file, e);
  }
}
