/**
 * The README's command examples, run for real (issue 20: "README claims are tested").
 *
 * Two kinds:
 * - **Transcripts**: `<!-- command: ARGS -->` followed by a fenced block and `<!-- /command -->`. The block is
 *   `$ vgsim ARGS` and what the command prints (stdout and stderr, as a terminal shows them); `npm run readme`
 *   rewrites it by running the command, and test/readme-examples.test.ts fails when the README's copy differs
 *   from a fresh run (wall-clock times masked: they are the only thing allowed to differ between runs).
 * - **Files**: `<!-- file: PATH -->` followed by a fenced block and `<!-- /file -->`: the file's text, so an
 *   example configuration shown in the README is one the test runs (`vgsim validate`/`vgsim check` on it).
 * - **Examples**: every `vgsim …` line of a ```bash block and every complete inline `vgsim …` command in the
 *   prose. The test runs each (outputs redirected to a temporary folder) and expects exit 0, or the code a
 *   trailing `# exit N` comment gives. A command with a placeholder (`<file>`, `…`, `[--opt]`, `M`, `G`, `DIR`, a
 *   `|` of alternatives) is a usage line, not an example; illustrative file names (`trace.csv`, `server.yaml`)
 *   are listed in ILLUSTRATIVE_FILES and make an example a usage line too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../package-files.ts';

/** File names the README uses as stand-ins for the user's own files. */
export const ILLUSTRATIVE_FILES = ['trace.csv', 'server.yaml', 'fit.csv', 'other.csv', 'my-gpu.json', 'path/to/transformer/config.json', 'a.yaml', 'b.yaml', 'my/', 'st.json', 'overheads.json'];

/** Wall-clock figures a run prints: the only parts of a transcript allowed to change between runs. */
const WALL_CLOCK = [/\b\d+(\.\d+)? (s|ms) wall\b/g, /\bin \d+(\.\d+)? (s|ms)\b/g];

export function maskWallClock(text: string): string {
  let out = text;
  for (const re of WALL_CLOCK) out = out.replace(re, '<wall>');
  return out;
}

export interface CommandRun {
  code: number;
  output: string;
}

/** Runs `vgsim ARGS` (ARGS in shell syntax) in the package root; stdout then stderr, as a terminal shows them. */
export function runVgsim(args: string, opts: { cwd?: string; timeoutMs?: number } = {}): CommandRun {
  const r = spawnSync('sh', ['-c', `node "${packagePath('bin/vgsim.js')}" ${args} 2>&1`], {
    cwd: opts.cwd ?? packagePath('.'),
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    env: { ...process.env, VGSIM_DEBUG: '', NO_COLOR: '1', COLUMNS: '120' },
  });
  return { code: r.status ?? -1, output: (r.stdout ?? '').replace(/\s+$/, '') };
}

const TRANSCRIPT = /<!-- command: (.+?) -->\n```\n[\s\S]*?```\n<!-- \/command -->/g;

export interface Transcript {
  args: string;
  /** The block as the README has it (between the markers). */
  text: string;
}

export function transcripts(readme: string): Transcript[] {
  return [...readme.matchAll(TRANSCRIPT)].map((m) => ({ args: m[1]!, text: m[0] }));
}

function renderTranscript(args: string): string {
  const r = runVgsim(args);
  return `<!-- command: ${args} -->\n\`\`\`\n$ vgsim ${args}\n${r.output}\n\`\`\`\n<!-- /command -->`;
}

const FILE = /<!-- file: (\S+) -->\n```(\w*)\n[\s\S]*?```\n<!-- \/file -->/g;

/** Files shown in the README (`<!-- file: PATH -->`), with the fence language they are shown in. */
export function shownFiles(readme: string): { path: string; text: string }[] {
  return [...readme.matchAll(FILE)].map((m) => ({ path: m[1]!, text: m[0] }));
}

function renderFile(path: string, lang: string): string {
  const body = readFileSync(packagePath(path), 'utf8').replace(/\s+$/, '');
  return `<!-- file: ${path} -->\n\`\`\`${lang}\n${body}\n\`\`\`\n<!-- /file -->`;
}

/** README text with every transcript rewritten from a fresh run and every shown file from the file. */
export function renderTranscripts(readme: string): string {
  // a transcript that differs only in wall-clock times is left as it is (no churn, no merge conflicts)
  const fresh = (old: string, args: string) => {
    const text = renderTranscript(args);
    return maskWallClock(text) === maskWallClock(old) ? old : text;
  };
  return readme.replace(TRANSCRIPT, (m, args: string) => fresh(m, args)).replace(FILE, (_m, path: string, lang: string) => renderFile(path, lang));
}

/** Shown files whose README copy differs from the file. */
export function staleFiles(readme: string): string[] {
  return [...readme.matchAll(FILE)].filter((m) => renderFile(m[1]!, m[2]!) !== m[0]).map((m) => m[1]!);
}

/** Transcripts whose README copy differs from a fresh run (wall-clock times masked). */
export function staleTranscripts(readme: string): { args: string; expected: string; actual: string }[] {
  return transcripts(readme).flatMap((t) => {
    const fresh = renderTranscript(t.args);
    return maskWallClock(fresh) === maskWallClock(t.text) ? [] : [{ args: t.args, expected: maskWallClock(fresh), actual: maskWallClock(t.text) }];
  });
}

export interface Example {
  line: number;
  args: string;
  /** Exit code the README promises (`# exit N`), 0 by default. */
  exit: number;
}

const PLACEHOLDER = /<[^>]*>|…|\.\.\.|\[|\]|\||(^|\s)(M|G|N|W|T|E|L|DIR|FILE)(\s|$)/;

function exampleOf(command: string, line: number): Example | null {
  const m = /^(?:\$ )?vgsim (.*)$/.exec(command.trim());
  if (!m) return null;
  let rest = m[1]!;
  let exit = 0;
  const comment = /\s+#\s*(.*)$/.exec(rest);
  if (comment) {
    const code = /^exit (\d+)/.exec(comment[1]!);
    if (code) exit = Number(code[1]);
    rest = rest.slice(0, comment.index);
  }
  rest = rest.trim();
  if (!rest || rest.endsWith('\\') || PLACEHOLDER.test(rest)) return null;
  if (ILLUSTRATIVE_FILES.some((f) => rest.split(/\s+/).some((w) => w === f || w.startsWith(f) || w.endsWith(`/${f}`)))) return null;
  // a bare subcommand or a lone flag is a name in the prose, not an example
  if (!/\s/.test(rest) && !/^(--version|-V)$/.test(rest)) return null;
  if (/^\S+ --\S+$/.test(rest) && !/^(list|--version)/.test(rest)) return null;
  return { line, args: rest, exit };
}

/** Every runnable `vgsim` example of the README: ```bash and transcript lines, and complete inline commands. */
export function examples(readme: string): Example[] {
  const out: Example[] = [];
  const lines = readme.split('\n');
  let fence: string | null = null;
  lines.forEach((text, i) => {
    if (text.startsWith('```')) {
      fence = fence === null ? text.slice(3).trim() : null;
      return;
    }
    if (fence !== null) {
      if (fence === 'bash' || fence === 'sh') {
        const e = exampleOf(text, i + 1);
        if (e) out.push(e);
      }
      return;
    }
    for (const m of text.matchAll(/`(vgsim [^`]+)`/g)) {
      const e = exampleOf(m[1]!.replace(/\\\|/g, '|'), i + 1);
      if (e) out.push(e);
    }
  });
  const seen = new Set<string>();
  return out.filter((e) => (seen.has(e.args) ? false : (seen.add(e.args), true)));
}

/** `--out X` (and `--deploy X`) of an example pointed into `dir`, so examples do not write into the checkout. */
export function redirectOutputs(args: string, dir: string): string {
  return args.replace(/(--out|--deploy)(=|\s+)(\S+)/g, (_m, flag: string, sep: string, path: string) => `${flag}${sep}${join(dir, path.replace(/[^\w.-]+/g, '_'))}`);
}

/** Runs one example with its outputs in a temporary folder. */
export function runExample(e: Example, timeoutMs = 300_000): CommandRun {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-readme-'));
  try {
    return runVgsim(redirectOutputs(e.args, dir), { timeoutMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
