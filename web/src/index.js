// zkinfer: prove the inference of a public model on private input, in browsers and in Node.
//
// The WebAssembly module (web/pkg/, built by `npm run build`) loads on first use. Every call
// runs in the calling thread for now. Errors are `ZkinferError`s with a stable `code`.

import init, {
  Model,
  open as wasmOpen,
  prove as wasmProve,
  takePanic,
  verify as wasmVerify,
} from '../pkg/zkinfer_wasm.js';

/** An error with a stable `code`: see index.d.ts for the codes. */
export class ZkinferError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'ZkinferError';
    this.code = code;
  }
}

const NODE_FS = 'node:fs/promises';
let loading;
// Set when a call trapped (a bug, or memory exhausted): the module's state is then unknown and
// it is not called again.
let aborted;

/** Instantiates the WebAssembly module, once. */
function load() {
  loading ??= instantiate().catch((e) => {
    loading = undefined;
    throw new ZkinferError('INTERNAL', `cannot load the WebAssembly module: ${e.message}`, {
      cause: e,
    });
  });
  return loading;
}

async function instantiate() {
  const url = new URL('../pkg/zkinfer_wasm_bg.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    // Node (fetch cannot read files). getBuiltinModule (Node ≥ 20.16) keeps bundlers from
    // seeing a Node import; older Node versions take the dynamic import.
    const fs =
      globalThis.process?.getBuiltinModule?.(NODE_FS) ??
      (await import(/* @vite-ignore */ NODE_FS));
    await init({ module_or_path: await fs.readFile(url) });
  } else {
    await init({ module_or_path: url });
  }
}

/** Calls into the module, turning its errors into `ZkinferError`s. */
function call(fn) {
  if (aborted !== undefined) {
    throw new ZkinferError(
      'INTERNAL',
      `the WebAssembly module aborted in an earlier call (${aborted}); reload to use it again`,
    );
  }
  try {
    return fn();
  } catch (e) {
    if (e instanceof ZkinferError) throw e;
    if (e instanceof WebAssembly.RuntimeError) {
      let panic;
      try {
        panic = takePanic();
      } catch {
        // The module cannot even say why.
      }
      aborted = panic ?? e.message;
      throw new ZkinferError('INTERNAL', `the WebAssembly module aborted: ${aborted}`, {
        cause: e,
      });
    }
    if (e instanceof Error && typeof e.code === 'string') {
      throw new ZkinferError(e.code, e.message);
    }
    throw e;
  }
}

function badInput(message) {
  return new ZkinferError('BAD_INPUT', message);
}

/** Refuses option names it does not know: a misspelt option would be silently ignored. */
function checkOptions(options, known, what) {
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

/** Binary data as a Uint8Array; anything else as it is (the module says what it accepts). */
function bytes(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return value;
}

// The module's model behind each prover.
const models = new WeakMap();

/** Runs `fn` on the module's model for `model`: a prover's, or one loaded for the call. */
function withModel(model, fn) {
  const loaded = models.get(model);
  if (loaded) return call(() => fn(loaded()));
  const owned = call(() => new Model(bytes(model)));
  try {
    return call(() => fn(owned));
  } finally {
    if (aborted === undefined) owned.free();
  }
}

/**
 * Loads a zkinfer model (JSON text, its bytes, or the parsed object) and returns a prover for
 * it.
 */
export async function createProver(options) {
  const { model } = checkOptions(options, ['model'], 'createProver options');
  await load();
  return new Prover(call(() => new Model(bytes(model))));
}

class Prover {
  #model;

  constructor(model) {
    this.#model = model;
    models.set(this, () => this.#loaded());
  }

  #loaded() {
    if (this.#model === undefined) throw badInput('this prover is closed');
    return this.#model;
  }

  /** The model id (64 hexadecimal digits). */
  get modelId() {
    return call(() => this.#loaded().id);
  }

  /** Feature names, in input order. */
  get features() {
    return call(() => this.#loaded().features);
  }

  /** `binary`, `multiclass` or `regression`. */
  get task() {
    return call(() => this.#loaded().task);
  }

  /** Class labels (none for regression). */
  get classes() {
    return call(() => this.#loaded().classes);
  }

  /** Proves the model's output on the private `input`. */
  async prove(input, options) {
    const { disclose, threshold, context, profile } = checkOptions(
      options,
      ['disclose', 'threshold', 'context', 'profile'],
      'prove options',
    );
    let wasmDisclose = disclose;
    if (disclose === 'at-least' || (disclose === undefined && threshold !== undefined)) {
      if (threshold === undefined) {
        throw badInput(
          "disclose 'at-least' needs a threshold: a real score, as a number or a decimal string",
        );
      }
      wasmDisclose = { atLeast: threshold };
    } else if (threshold !== undefined) {
      throw badInput(`a threshold goes with disclose 'at-least', not ${JSON.stringify(disclose)}`);
    }
    const wasmOptions = { disclose: wasmDisclose, context: bytes(context), profile };
    return call(() => wasmProve(this.#loaded(), input, wasmOptions));
  }

  /** Whether `input` and `opening` open `commitment` (hex, or an envelope of this model). */
  async open(input, opening, commitment) {
    return call(() => wasmOpen(this.#loaded(), input, opening, bytes(commitment)));
  }

  /** Frees the model's memory in the module; the prover cannot be used afterwards. */
  close() {
    const model = this.#model;
    this.#model = undefined;
    if (model !== undefined && aborted === undefined) model.free();
  }
}

/**
 * Verifies a proof envelope (JSON text, its parsed object, or the binary form) against a model
 * (a prover, or zkinfer model JSON) and the context it must have been made for.
 */
export async function verify(model, envelope, options) {
  const { context } = checkOptions(options, ['context'], 'verify options');
  await load();
  return withModel(model, (loaded) => wasmVerify(loaded, bytes(envelope), bytes(context)));
}

/** Whether `input` and `opening` open `commitment` (hex, or an envelope of this model). */
export async function open(model, input, opening, commitment) {
  await load();
  return withModel(model, (loaded) => wasmOpen(loaded, input, opening, bytes(commitment)));
}

/** The id of a model (a prover, or zkinfer model JSON): BLAKE3 of its canonical form. */
export async function modelId(model) {
  await load();
  return withModel(model, (loaded) => loaded.id);
}
