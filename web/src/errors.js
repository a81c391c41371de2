// The one error type of the package, shared by the page and the worker.

/** An error with a stable `code`: see index.d.ts for the codes. */
export class ZkinferError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'ZkinferError';
    this.code = code;
  }
}

export function badInput(message) {
  return new ZkinferError('BAD_INPUT', message);
}

/** Refuses option names it does not know: a misspelt option would be silently ignored. */
export function checkOptions(options, known, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw badInput(`the ${what} must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw badInput(
        `unknown ${what} ${JSON.stringify(key)} (the ${what} are ${known.join(', ')})`,
      );
    }
  }
  return options;
}
