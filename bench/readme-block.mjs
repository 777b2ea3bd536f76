// The README's benchmark blocks: each sits between `<!-- NAME:begin -->` and `<!-- NAME:end -->` and is
// rewritten by the benchmark that measures it (`--readme`; CI runs them after the tests, .ci/run). Plain
// JavaScript so that bench/startup.mjs runs on a bare node; the types are in readme-block.d.mts.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** `text` with the lines between NAME's begin and end markers replaced by `block`; throws unless exactly one such block. */
export function replaceReadmeBlock(text, name, block) {
  const begin = `<!-- ${name}:begin -->\n`;
  const end = `\n<!-- ${name}:end -->`;
  const at = text.indexOf(begin);
  const stop = at < 0 ? -1 : text.indexOf(end, at + begin.length - 1);
  if (at < 0 || stop < 0) throw new Error(`README.md has no <!-- ${name}:begin --> … <!-- ${name}:end --> block`);
  if (text.indexOf(begin, at + 1) >= 0) throw new Error(`README.md has more than one <!-- ${name}:begin --> block`);
  return text.slice(0, at + begin.length) + block + text.slice(stop);
}

/** Rewrites NAME's block of the README at `file` in place. */
export function rewriteReadmeBlock(file, name, block) {
  writeFileSync(file, replaceReadmeBlock(readFileSync(file, 'utf8'), name, block));
}

/** "(2 CPUs, AMD EPYC, Node 20.20.2; CI reruns it and rewrites this table)": where and on what the numbers were measured. */
export function machineNote() {
  return `${cpus().length} CPUs, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}; CI reruns it and rewrites this table`;
}

/** Today's date, YYYY-MM-DD (UTC). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}
