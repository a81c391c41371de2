// zkinfer: prove the inference of a public model on private input, in browsers and in Node.
//
// A prover proves in a worker by default in a page, so that the page never blocks, and in the
// calling thread elsewhere (Node, or code already in a worker); `verify`, `open` and `modelId`
// run in the calling thread. The WebAssembly module (web/pkg/, built by `npm run build`) loads
// on first use. Errors are ZkinferErrors with a stable `code`.

import * as engine from './engine.js';
import { ZkinferError, badInput, checkOptions } from './errors.js';

export { ZkinferError };

const PROVE_OPTIONS = ['disclose', 'threshold', 'context', 'profile', 'onProgress', 'signal'];

/**
 * Loads a zkinfer model (JSON text, its bytes, or the parsed object) and returns a prover for
 * it. `worker`: prove in a worker (default: in a page's main thread, where proving in the
 * thread would freeze the page).
 */
export async function createProver(options) {
  const { model, worker = typeof document !== 'undefined' } = checkOptions(
    options,
    ['model', 'worker'],
    'createProver options',
  );
  if (typeof worker !== 'boolean') throw badInput('the worker option must be true or false');
  const prover = worker ? new WorkerProver(model) : new ThreadProver(model);
  await loadings.get(prover);
  return prover;
}

/** The options of `prove` the module reads, and the two the package handles. */
function proveOptions(options) {
  const { onProgress, signal, ...rest } = checkOptions(options, PROVE_OPTIONS, 'prove options');
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw badInput('onProgress must be a function');
  }
  if (signal !== undefined && !(typeof signal?.aborted === 'boolean' && signal.addEventListener)) {
    throw badInput('signal must be an AbortSignal');
  }
  return { rest, onProgress, signal };
}

function abortError(signal) {
  return new ZkinferError('ABORTED', 'the proof was aborted', { cause: signal.reason });
}

// Per prover, kept out of its public surface: the model source (for `verify(prover, …)` and
// replacement workers), the model's description once loaded (engine.describe), and the promise
// of that loading.
const sources = new WeakMap();
const descriptions = new WeakMap();
const loadings = new WeakMap();

/** What both kinds of prover tell about their model. */
class Prover {
  constructor(source) {
    sources.set(this, source);
  }

  get modelId() {
    return descriptions.get(this).modelId;
  }

  get features() {
    return descriptions.get(this).features;
  }

  get task() {
    return descriptions.get(this).task;
  }

  get classes() {
    return descriptions.get(this).classes;
  }
}

/** Proves in the calling thread. */
class ThreadProver extends Prover {
  #model;
  #closed = false;

  constructor(source) {
    super(source);
    const loading = engine.load().then(() => {
      this.#model = engine.loadModel(source);
      descriptions.set(this, engine.describe(this.#model));
    });
    loadings.set(this, loading);
  }

  /** `'thread'`: proofs run in the calling thread. */
  get mode() {
    return 'thread';
  }

  /** The model, in the module's current instance (after a trap elsewhere, a fresh one). */
  async #loaded() {
    if (this.#closed) throw badInput('this prover is closed');
    await engine.load();
    if (this.#model === undefined || engine.instance() !== engine.instanceOf(this.#model)) {
      this.#model = engine.loadModel(sources.get(this));
    }
    return this.#model;
  }

  async prove(input, options) {
    const { rest, onProgress, signal } = proveOptions(options);
    // The proof runs without yielding: an abort can only be seen before it starts.
    if (signal?.aborted) throw abortError(signal);
    const model = await this.#loaded();
    if (signal?.aborted) throw abortError(signal);
    let thrown;
    const progress = (phase, fraction) => {
      try {
        onProgress?.({ phase, fraction });
      } catch (e) {
        thrown ??= { error: e };
      }
    };
    const proof = engine.prove(model, input, rest, progress);
    if (thrown) throw thrown.error;
    return proof;
  }

  async open(input, opening, commitment) {
    return engine.open(await this.#loaded(), input, opening, commitment);
  }

  close() {
    const model = this.#model;
    this.#closed = true;
    this.#model = undefined;
    if (model !== undefined) engine.free(model);
  }
}

/**
 * Proves in a worker holding the model. One request runs at a time; aborting the running one
 * terminates the worker, and the next request starts a new one.
 */
class WorkerProver extends Prover {
  #worker;
  #running; // {id, resolve, reject, onProgress}
  #queue = Promise.resolve();
  #nextId = 0;
  #closed = false;

  constructor(source) {
    super(source);
    const loading = this.#request('load', { model: source }, {}).then(
      (info) => descriptions.set(this, info),
      (e) => {
        this.#stop();
        throw e;
      },
    );
    loadings.set(this, loading);
  }

  /** `'worker'`: proofs run in a worker. */
  get mode() {
    return 'worker';
  }

  async prove(input, options) {
    const { rest, onProgress, signal } = proveOptions(options);
    return this.#request('prove', { input, options: rest }, { onProgress, signal });
  }

  async open(input, opening, commitment) {
    return this.#request('open', { input, opening, commitment }, {});
  }

  close() {
    this.#closed = true;
    this.#stop();
    this.#running?.reject(badInput('the prover was closed'));
  }

  /** Queues a request behind the others; an abort takes it out of the queue at once. */
  #request(op, payload, { onProgress, signal }) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let state = 'queued';
      const onAbort = () => {
        // Synchronous WebAssembly cannot be interrupted: the worker running it is terminated.
        if (state === 'running') {
          this.#stop();
          this.#running?.reject(abortError(signal));
        }
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const run = async () => {
        if (signal?.aborted) return;
        state = 'running';
        try {
          if (this.#closed) throw badInput('this prover is closed');
          if (this.#worker === undefined) {
            const module = await engine.compile();
            if (signal?.aborted) return;
            this.#start();
            // A new worker gets the compiled module, and a replacement one the model.
            if (op === 'load') payload = { ...payload, module };
            else await this.#send('load', { model: sources.get(this), module });
          }
          return await this.#send(op, payload, onProgress);
        } finally {
          state = 'done';
          signal?.removeEventListener('abort', onAbort);
        }
      };
      const done = this.#queue.then(run);
      this.#queue = done.catch(() => {});
      done.then(resolve, reject);
    });
  }

  /** Sends one request to the worker and waits for its answer. */
  #send(op, payload, onProgress) {
    return new Promise((resolve, reject) => {
      const id = ++this.#nextId;
      this.#running = { id, resolve, reject, onProgress };
      this.#worker.ref?.();
      try {
        this.#worker.postMessage({ id, op, ...payload });
      } catch (e) {
        // Values a worker cannot receive (functions, symbols…) are not inputs either.
        reject(badInput(`cannot pass this to the prover: ${e.message}`));
      }
    }).finally(() => {
      this.#running = undefined;
      this.#worker?.unref?.();
    });
  }

  #start() {
    const worker = spawnWorker();
    this.#worker = worker;
    worker.onMessage = (message) => this.#receive(message);
    worker.onError = (message) => {
      this.#stop();
      this.#running?.reject(new ZkinferError('INTERNAL', `the prover's worker failed: ${message}`));
    };
  }

  #receive({ id, progress, result, error }) {
    const running = this.#running;
    if (running?.id !== id) return;
    if (progress) {
      try {
        running.onProgress?.(progress);
      } catch (e) {
        this.#stop();
        running.reject(e);
      }
    } else if (error) {
      if (error.fatal) this.#stop();
      running.reject(new ZkinferError(error.code, error.message));
    } else {
      running.resolve(result);
    }
  }

  #stop() {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

const WORKER_FILE = './worker.js';

/**
 * Starts web/src/worker.js: a module Web Worker (written so that bundlers find and bundle it),
 * or a worker_threads worker in Node. Returns {postMessage, terminate, ref, unref} and calls its
 * onMessage and onError.
 */
function spawnWorker() {
  const handle = {};
  const nodeThreads = engine.nodeBuiltin('node:worker_threads');
  if (nodeThreads) {
    const worker = new nodeThreads.Worker(new URL(WORKER_FILE, import.meta.url));
    worker.on('message', (message) => handle.onMessage(message));
    worker.on('error', (e) => handle.onError(e.message));
    worker.on('messageerror', (e) => handle.onError(e.message));
    Object.assign(handle, {
      postMessage: (message) => worker.postMessage(message),
      terminate: () => worker.terminate(),
      // An idle worker does not keep Node running.
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    });
    worker.unref();
  } else {
    const worker = webWorker();
    worker.addEventListener('message', (event) => handle.onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      handle.onError(event.message || 'the worker script could not be loaded');
    });
    worker.addEventListener('messageerror', () => handle.onError('a message could not be read'));
    Object.assign(handle, {
      postMessage: (message) => worker.postMessage(message),
      terminate: () => worker.terminate(),
    });
  }
  return handle;
}

/**
 * A module Web Worker running worker.js. Browsers only start workers from the page's origin:
 * when the package is served from another (a CDN), a same-origin blob module imports it.
 */
function webWorker() {
  const failed = (e) =>
    new ZkinferError('INTERNAL', `cannot start the prover's worker: ${e?.message ?? e}`);
  try {
    return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch (e) {
    if (e?.name !== 'SecurityError') throw failed(e);
  }
  const script = `import ${JSON.stringify(new URL(WORKER_FILE, import.meta.url).href)};`;
  const blob = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new Worker(blob, { type: 'module' });
  } catch (e) {
    URL.revokeObjectURL(blob);
    throw failed(e);
  }
  // Once the worker answers (or fails), it has loaded the script: the blob is not needed again.
  const release = () => URL.revokeObjectURL(blob);
  worker.addEventListener('message', release, { once: true });
  worker.addEventListener('error', release, { once: true });
  return worker;
}

/** Runs `fn` on the module's model for `model`: a prover's source, or zkinfer model JSON. */
async function withModel(model, fn) {
  await engine.load();
  const owned = engine.loadModel(sources.get(model) ?? model);
  try {
    return fn(owned);
  } finally {
    engine.free(owned);
  }
}

/**
 * Verifies a proof envelope (JSON text, its parsed object, or the binary form) against a model
 * (a prover, or zkinfer model JSON) and the context it must have been made for.
 */
export async function verify(model, envelope, options) {
  const { context } = checkOptions(options, ['context'], 'verify options');
  return withModel(model, (loaded) => engine.verify(loaded, envelope, context));
}

/** Whether `input` and `opening` open `commitment` (hex, or an envelope of this model). */
export async function open(model, input, opening, commitment) {
  return withModel(model, (loaded) => engine.open(loaded, input, opening, commitment));
}

/** The id of a model (a prover, or zkinfer model JSON): BLAKE3 of its canonical form. */
export async function modelId(model) {
  if (model instanceof Prover) return model.modelId;
  return withModel(model, (loaded) => engine.describe(loaded).modelId);
}
