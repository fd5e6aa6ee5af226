/**
 * Prop validation fails at construct time with the library's ValidationError, whose message is
 * `<construct path>: <prop> <what is allowed>`. One assertion checks all four, so a test of a
 * rejected prop cannot pass on some other error that happens to mention the same words.
 */
import { ValidationError } from '../../src/shared/validation';

export interface ExpectedValidationError {
  /** The construct path the message starts with, e.g. `TestStack/Api`. */
  readonly path: string;
  /** The prop the error names (its `prop` field and the message's first word after the path). */
  readonly prop: string;
  /** The rest of the message: the exact text, or a pattern it matches. */
  readonly message: string | RegExp;
}

/** Runs `act`, asserts it threw the ValidationError described, and returns it. */
export function expectValidationError(act: () => unknown, expected: ExpectedValidationError): ValidationError {
  let thrown: unknown;
  let threw = false;
  try {
    act();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  if (!threw) throw new Error(`expected a ValidationError on ${expected.path}: ${expected.prop}, but nothing was thrown`);
  expect(thrown).toBeInstanceOf(ValidationError);
  const error = thrown as ValidationError;
  expect(error.prop).toBe(expected.prop);
  const prefix = `${expected.path}: ${expected.prop} `;
  expect(error.message.slice(0, prefix.length)).toBe(prefix);
  const rest = error.message.slice(prefix.length);
  if (typeof expected.message === 'string') expect(rest).toBe(expected.message);
  else expect(rest).toMatch(expected.message);
  return error;
}
