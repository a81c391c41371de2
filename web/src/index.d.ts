// Types of the zkinfer npm package (web/src/index.js).

/** zkinfer model JSON: its text, its UTF-8 bytes, or the parsed object. */
export type ModelSource = string | Uint8Array | ArrayBuffer | object;

/**
 * A private input: one number per feature, in the model's feature order, or an object of
 * feature name → number (every feature, no other name). A missing value is `NaN` or `null`:
 * tree ensembles imported with missing values (model format versions 2 and 3) send it down each
 * split's default branch, as their library does; other models refuse it. ±Infinity is refused.
 * A categorical feature's value is its category, an integer code (format version 3), or, for a
 * feature its library read as strings, the category's name (`inspect` lists them; a number,
 * and so a `Float64Array`, cannot give one).
 */
export type Input = (number | string | null)[] | Float64Array | Record<string, number | string | null>;

/** Bytes a proof is bound to (a nonce, an origin): UTF-8 text or bytes. */
export type Context = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** A proof envelope: the JSON text `prove` returns, its parsed object, or the binary form. */
export type EnvelopeSource = string | object | Uint8Array | ArrayBuffer | ArrayBufferView;

/** The stable `code` of every error the package throws. */
export type ErrorCode =
  /** Not a valid zkinfer model (library formats need `zkinfer import` first). */
  | 'BAD_MODEL'
  /** An input, option, context or opening that cannot be used; the message says which. */
  | 'BAD_INPUT'
  /** Valid, but not something this model can prove (e.g. a class of a regression model). */
  | 'UNSUPPORTED'
  /** Not a readable proof envelope (garbage, truncated, unknown version). */
  | 'BAD_ENVELOPE'
  /** An envelope that does not prove its statement for this model and context. */
  | 'INVALID_PROOF'
  /** The proof was cancelled through its `signal`; `cause` is the signal's reason. */
  | 'ABORTED'
  /**
   * The proof needs more memory than the module may use (1 GiB) or the device grants. The
   * module recovers: a worker prover's next request starts a new worker, and the next call in
   * the thread a fresh instance of the module (the models made before are made again), up to
   * three times per thread (a replaced instance's memory is not released). Beyond that, or
   * where a bundler rewrote the package's files, the next in-thread call fails too, until the
   * page reloads.
   */
  | 'OUT_OF_MEMORY'
  /** A failure that is no input's fault: no randomness, or the module aborted (a bug). */
  | 'INTERNAL';

export class ZkinferError extends Error {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions);
  readonly name: 'ZkinferError';
  readonly code: ErrorCode;
}

/** The disclosed output of a proof. */
export type Output =
  /** The class index and its label. */
  | { kind: 'class'; class: number; label?: string }
  /** Real scores, and the exact fixed-point integers they stand for. */
  | { kind: 'scores'; scores: number[]; fixed: number[] }
  /** Whether the (single) score is at least the threshold, real and fixed-point. */
  | { kind: 'atLeast'; threshold: number; fixedThreshold: number; holds: boolean };

export interface ProveOptions {
  /**
   * What the verifier learns: the class (classifiers' default), the scores (regression's
   * default), or only whether the score is at least `threshold` (`'at-least'`, implied when
   * only `threshold` is given).
   */
  disclose?: 'class' | 'scores' | 'at-least' | { atLeast: number | string };
  /**
   * A real score, converted exactly: a number means its shortest decimal (`0.1` is 0.1); a
   * string is read as an exact decimal.
   */
  threshold?: number | string;
  /** Bytes the verifier must supply identically; empty by default. */
  context?: Context;
  /** `'default'` (about 100 bits of conjectured security) or `'high'` (128 bits). */
  profile?: 'default' | 'high';
  /**
   * Called as each phase of the proof starts, from `{phase: 'trace', fraction: 0}` to
   * `{phase: 'done', fraction: 1}`. An exception it throws rejects the proof.
   */
  onProgress?: (progress: Progress) => void;
  /**
   * Cancels the proof: it rejects with `ABORTED`. A worker prover stops at once (the worker is
   * terminated, and replaced on the next request); an in-thread proof cannot be interrupted
   * once started, so only a signal aborted before it starts stops it.
   */
  signal?: AbortSignalLike;
}

/** What `prove` reads of an `AbortSignal` (declared here so that no DOM or Node types are needed). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The phases of a proof, in order. */
export type Phase = 'trace' | 'commit-trace' | 'constraints' | 'composition' | 'fri' | 'done';

export interface Progress {
  phase: Phase;
  /** The share of the proving work done before this phase (measured shares; 0 to 1). */
  fraction: number;
}

export interface Proof {
  /** The proof envelope, JSON text: public. */
  envelope: string;
  /** The commitment's opening, JSON text: SECRET (with the input, it opens the commitment). */
  opening: string;
  modelId: string;
  /** The hiding commitment to the input (64 hexadecimal digits). */
  inputCommitment: string;
  output: Output;
}

export interface Verified {
  ok: true;
  modelId: string;
  inputCommitment: string;
  output: Output;
  profile: 'default' | 'high';
}

export interface Prover {
  /** Where proofs run: in a worker, or in the calling thread. */
  readonly mode: 'worker' | 'thread';
  /** The model id: BLAKE3 of the canonical model, 64 hexadecimal digits. */
  readonly modelId: string;
  /** Feature names, in input order. */
  readonly features: string[];
  readonly task: 'binary' | 'multiclass' | 'regression';
  /** Class labels (none for regression). */
  readonly classes: string[];
  /**
   * Proves the model's output on the private input. Proofs of one prover run one at a time, in
   * the order asked.
   */
  prove(input: Input, options?: ProveOptions): Promise<Proof>;
  /**
   * Whether the input and opening open the commitment (64 hexadecimal digits, or an envelope
   * of this model).
   */
  open(input: Input, opening: string | object, commitment: string | EnvelopeSource): Promise<boolean>;
  /**
   * Frees the model (and stops the worker); pending proofs reject, and the prover cannot prove
   * afterwards.
   */
  close(): void;
}

export interface CreateProverOptions {
  model: ModelSource;
  /**
   * Prove in a worker (a Web Worker; worker_threads in Node) rather than the calling thread.
   * Default: true in a page's main thread, which proving would otherwise freeze; false
   * elsewhere (Node, code already in a worker).
   */
  worker?: boolean;
}

/** Loads a zkinfer model and returns a prover for it. */
export function createProver(options: CreateProverOptions): Promise<Prover>;

/**
 * Verifies an envelope against a model and the context it must have been made for. Resolves
 * to the verified statement; rejects with `BAD_ENVELOPE` or `INVALID_PROOF` otherwise.
 */
export function verify(
  model: ModelSource | Prover,
  envelope: EnvelopeSource,
  options?: { context?: Context },
): Promise<Verified>;

/** Whether the input and opening open the commitment, as `Prover.open`. */
export function open(
  model: ModelSource | Prover,
  input: Input,
  opening: string | object,
  commitment: string | EnvelopeSource,
): Promise<boolean>;

/** The model id (64 hexadecimal digits). */
export function modelId(model: ModelSource | Prover): Promise<string>;
