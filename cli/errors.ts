/** Bad input from the user (a file, an option): one line on stderr, exit status 2, no stack. */
export class InputError extends Error {
  readonly exitCode = 2;
}

/** Exit statuses of `pvsched-sim`. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;
