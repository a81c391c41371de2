// The WebAssembly module, called in the current thread: the page's (in-thread provers, verify),
// Node's, or a worker's (web/src/worker.js). Every call goes through `call`, which turns the
// module's errors and traps into ZkinferErrors. A call that traps (memory exhausted, or a bug)
// leaves its instance unusable: the next use starts a fresh instance of the module, so that one
// failure does not stay with every other model in the thread. A replaced instance's memory is
// never released (its bindings, an ES module, live as long as the thread), so a thread starts at
// most RENEWALS fresh ones; after that, a trap asks for a reload.

import * as firstInstance from '../pkg/zkinfer_wasm.js';
import { ZkinferError, badInput } from './errors.js';

const BINDINGS = '../pkg/zkinfer_wasm.js';
const RENEWALS = 3;
// The bindings of the current instance, which instance that is (models are tied to the one that
// made them), and the models each made.
let bindings = firstInstance;
let generation = 0;
const madeBy = new WeakMap();
let compiling;
let loading;
let renewing;
// Set when a call trapped (memory exhausted, or a bug): the instance's state is then unknown, so it
// is not called again; `load` replaces it.
let trapped;

/**
 * A Node built-in module (`node:…`) when running in Node, else undefined. getBuiltinModule
 * (Node ≥ 20.16, the package's minimum) keeps bundlers from seeing a Node import.
 */
export function nodeBuiltin(name) {
  return globalThis.process?.versions?.node ? globalThis.process.getBuiltinModule(name) : undefined;
}

function loadError(e) {
  return new ZkinferError('INTERNAL', `cannot load the WebAssembly module: ${e.message}`, {
    cause: e,
  });
}

/**
 * The compiled WebAssembly module, fetched and compiled once per thread. A page hands it to
 * each worker it starts, so that a new worker (after an abort) neither fetches nor compiles.
 */
export function compile() {
  compiling ??= compileModule().catch((e) => {
    compiling = undefined;
    throw loadError(e);
  });
  return compiling;
}

async function compileModule() {
  const url = new URL('../pkg/zkinfer_wasm_bg.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    // Node: fetch cannot read files.
    return WebAssembly.compile(await nodeBuiltin('node:fs/promises').readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} fetching ${url}`);
  // Streaming compilation needs the right MIME type, which not every server sends.
  if (response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Instantiates the module once: `compiled` (from a page's `compile`), or compiles it here. After a
 * trap, starts a fresh instance instead (fresh bindings: they hold one instance each).
 */
export async function load(compiled) {
  if (trapped !== undefined) await renew(compiled);
  loading ??= (async () =>
    bindings.default({ module_or_path: compiled ?? (await compile()) }))().catch((e) => {
    loading = undefined;
    throw e instanceof ZkinferError ? e : loadError(e);
  });
  return loading;
}

/**
 * A new instance of the module with its own bindings, imported again under another URL. Where
 * that cannot be done (a bundler that rewrote the bindings' path), the trap stays, and its
 * error asks for a reload.
 */
function renew(compiled) {
  if (generation >= RENEWALS) return Promise.resolve();
  renewing ??= (async () => {
    const module = compiled ?? (await compile());
    const url = new URL(`${BINDINGS}?instance=${generation + 1}`, import.meta.url).href;
    const fresh = await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
    fresh.initSync({ module });
    bindings = fresh;
    generation += 1;
    trapped = undefined;
  })()
    .catch(() => {})
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}

/** Which instance of the module is current: models made by another one must be made again. */
export function instance() {
  return generation;
}

/** Which instance made `model`. */
export function instanceOf(model) {
  return madeBy.get(model);
}

/** Whether a call trapped, leaving the current instance unusable. */
export function hasTrapped() {
  return trapped !== undefined;
}

/** Calls into the module, turning its errors into ZkinferErrors. */
export function call(fn) {
  if (trapped !== undefined) {
    const next =
      generation < RENEWALS
        ? 'the next call starts it again'
        : 'it cannot be started again in this thread: reload to use it';
    throw new ZkinferError(
      trapped.code,
      `the WebAssembly module stopped in an earlier call (${trapped.message}); ${next}`,
    );
  }
  try {
    return fn();
  } catch (e) {
    if (e instanceof ZkinferError) throw e;
    if (e instanceof WebAssembly.RuntimeError) {
      trapped = trapCause(e);
      throw new ZkinferError(trapped.code, trapped.message, { cause: e });
    }
    if (e instanceof Error && typeof e.code === 'string') {
      throw new ZkinferError(e.code, e.message);
    }
    throw e;
  }
}

/** Why the module trapped: a panic's message (a bug), or the allocation that failed. */
function trapCause(trap) {
  let panic;
  let failed;
  try {
    panic = bindings.takePanic();
    failed = bindings.takeOutOfMemory();
  } catch {
    // The module cannot even say why.
  }
  if (panic === undefined && failed !== undefined) {
    return {
      code: 'OUT_OF_MEMORY',
      message:
        `out of memory: the prover could not allocate ${failed} more bytes within the ` +
        "module's 1 GiB (the model is too large to prove on this device)",
    };
  }
  return { code: 'INTERNAL', message: `the WebAssembly module aborted: ${panic ?? trap.message}` };
}

/** Binary data as a Uint8Array; anything else as it is (the module says what it accepts). */
export function bytes(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value) && !(value instanceof Uint8Array)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return value;
}

/** Reads a zkinfer model into the module. */
export function loadModel(source) {
  const model = call(() => new bindings.Model(bytes(source)));
  madeBy.set(model, generation);
  return model;
}

/** What a prover tells about its model without calling the module again. */
export function describe(model) {
  return call(() => ({
    modelId: model.id,
    features: model.features,
    task: model.task,
    classes: model.classes,
  }));
}

/** Frees a model of the current instance, unless it trapped (its memory is not to be touched). */
export function free(model) {
  if (trapped === undefined && madeBy.get(model) === generation) model.free();
}

/**
 * Proves with the package's options (disclose, threshold, context, profile); `progress(phase,
 * fraction)` is called as each phase starts.
 */
export function prove(model, input, options, progress) {
  const { disclose, threshold, context, profile } = options;
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
  return call(() => bindings.prove(model, input, wasmOptions, progress));
}

export function verify(model, envelope, context) {
  return call(() => bindings.verify(model, bytes(envelope), bytes(context)));
}

export function open(model, input, opening, commitment) {
  return call(() => bindings.open(model, input, opening, bytes(commitment)));
}
