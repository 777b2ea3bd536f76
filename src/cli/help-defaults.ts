/**
 * How `--help` shows an option's default: a number as a number (`(default: 3)`, not commander's JSON string
 * `(default: "3")`), nothing where the description already says its default in words (`(default: the current
 * directory)` was followed by `(default: ".")`), and nothing for a repeatable flag's empty list (`(default: [])`:
 * its description says "repeatable"). Every command inherits it from the program (commander copies the help
 * configuration to each command it creates).
 */
import { Help, type Option } from 'commander';

/** The option as help should describe it: its default shown as above, the rest untouched. */
function shownDefault(option: Option): Option {
  const v = option.defaultValue;
  const said = /\(default: /.test(option.description ?? '');
  const emptyList = Array.isArray(v) && v.length === 0;
  if (said || emptyList) return Object.assign(Object.create(option), { defaultValue: undefined });
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && option.defaultValueDescription === undefined) return Object.assign(Object.create(option), { defaultValueDescription: v });
  return option;
}

export const helpDefaults = {
  optionDescription(this: Help, option: Option): string {
    return Help.prototype.optionDescription.call(this, shownDefault(option));
  },
};
