/** The issues of the InputError `fn` throws; fails the test when it throws nothing or something else. */
import { InputError, type InputIssue } from '../../src/errors.ts';

export function issuesOf(fn: () => unknown): InputIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  throw new Error('expected an InputError');
}
