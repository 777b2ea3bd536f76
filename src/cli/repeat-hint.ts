/**
 * commander's "too many arguments" when a repeatable flag was given several values after one flag
 * (`--validate a.csv b.csv`): the flag takes one value each time, and the hint says to repeat it. A flag is
 * repeatable where its default is a list (the commands' `collect` flags), so every such flag is covered.
 */
import type { Command } from 'commander';

/** The hint for the first repeatable flag of `argv` followed by a value and then a stray argument, if any. */
export function repeatHint(program: Command, argv: readonly string[]): string | undefined {
  const command = program.commands.find((c) => c.name() === argv[2]);
  if (!command) return undefined;
  const repeatable = new Set(command.options.filter((o) => Array.isArray(o.defaultValue) && o.long).map((o) => o.long!));
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!repeatable.has(flag)) continue;
    const valueAt = eq > 0 ? i : i + 1;
    const value = eq > 0 ? a.slice(eq + 1) : argv[i + 1];
    const stray = argv[valueAt + 1];
    if (value === undefined || stray === undefined || stray.startsWith('-')) continue;
    return `hint: ${flag} takes one value each time; to give several, repeat it: ${flag} ${value} ${flag} ${stray}`;
  }
  return undefined;
}
