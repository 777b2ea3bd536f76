/** Runs the real `vgsim` entry point in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The entry point, absolute: a test may run the CLI from another working folder. */
const BIN = resolve('bin/vgsim.js');

export function vgsim(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? process.cwd(), encoding: 'utf8', env: { ...process.env, VGSIM_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in-process (no child process start-up): exit code and what it printed on stdout and stderr. */
export async function vgsimInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { vi } = await import('vitest');
  const { main } = await import('../../src/cli/main.ts');
  const out = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((k) =>
    vi.spyOn(process[k], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out[k] += String(chunk);
      return true;
    }),
  );
  try {
    return { code: await main(['node', 'vgsim', ...args]), ...out };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
