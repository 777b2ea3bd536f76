/** Runs the real `vgsim` entry point in a child process, as a user would. */
import { spawnSync } from 'node:child_process';

export function vgsim(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/vgsim.js', ...args], { cwd: opts.cwd ?? process.cwd(), encoding: 'utf8', env: { ...process.env, VGSIM_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
