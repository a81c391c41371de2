// Types of `zkinfer/badge` (web/src/badge.js): the <zkinfer-badge> custom element.
//
// Importing the module registers the element as `zkinfer-badge` unless the name is taken. The
// package declares `sideEffects: false`, so a bundler may drop a bare `import 'zkinfer/badge'`:
// with one, import `defineBadge` and call it.

import type { EnvelopeSource, ErrorCode, ModelSource, Output, Prover, Verified } from './index.js';

/** `verifying` until the outcome is known, then `verified` or `failed`. */
export type BadgeState = 'verifying' | 'verified' | 'failed';

/**
 * Why a badge failed: the package's codes (`INVALID_PROOF` for a proof that does not hold for
 * the model and context, `BAD_ENVELOPE` for an unreadable one…), `FETCH_FAILED` when the model
 * or envelope could not be fetched, `BAD_INPUT` also when the badge has no model or envelope.
 */
export type BadgeErrorCode = ErrorCode | 'FETCH_FAILED';

export interface BadgeError extends Error {
  readonly code: BadgeErrorCode;
}

export interface BadgeOutcome {
  state: 'verified' | 'failed';
  result: Verified | null;
  error: BadgeError | null;
}

/** What the badge tells of its model once loaded. */
export interface BadgeModelInfo {
  modelId: string;
  task: Prover['task'];
  features: string[];
  classes: string[];
}

/**
 * `<zkinfer-badge model="/models/m.json" src="/badges/item.json" context="item@2025-06-01">`
 *
 * Attributes (each change verifies again):
 * - `model`: URL of a zkinfer model JSON (fetched and loaded once per URL for the whole page),
 *   unless the `model` property is set;
 * - `src`: URL of a proof envelope, JSON or binary; or `envelope`: the envelope's JSON text;
 * - `context`: the context text the envelope must have been proved for (absent: the empty
 *   context); shown on the badge;
 * - `state` (set by the badge): `verifying`, `verified` or `failed`;
 * - `open`: the details panel is shown.
 *
 * Events (bubbling, composed): `zkinfer-verified` (detail: the verified statement) and
 * `zkinfer-failed` (detail: the error).
 *
 * Styling: CSS custom properties `--zkinfer-badge-font`, `--zkinfer-badge-color`,
 * `--zkinfer-badge-muted-color`, `--zkinfer-badge-radius`, `--zkinfer-badge-focus-color`,
 * `--zkinfer-badge-{verified,failed,pending}-{color,background}`,
 * `--zkinfer-badge-border-color`, `--zkinfer-badge-details-background`; parts `badge` (the
 * button), `icon`, `headline`, `summary`, `status` (the visually hidden live region),
 * `details`, `error`, `context`, `model`, `commitment`.
 */
export class ZkinferBadge extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Reflected as the `state` attribute. */
  readonly state: BadgeState;
  /** The verified statement once `verified`, else null. */
  readonly result: Verified | null;
  /** The error once `failed`, else null. */
  readonly error: BadgeError | null;
  /** The model's id, task, features and class labels once loaded, else null. */
  readonly modelInfo: BadgeModelInfo | null;
  /**
   * A model source or a prover, overriding the `model` attribute; null when unset. Each
   * source (the same text, or the same object) is loaded once for the page.
   */
  get model(): ModelSource | Prover | null;
  set model(value: ModelSource | Prover | null | undefined);
  /** Text sets the `envelope` attribute; bytes or a parsed envelope are kept as they are. */
  get envelope(): EnvelopeSource | null;
  set envelope(value: EnvelopeSource | null | undefined);
  /** The `src` attribute. */
  src: string;
  /** The `context` attribute ('' when absent). */
  context: string;
  /** The `open` attribute: whether the details panel is shown. */
  open: boolean;
  /**
   * Resolves once the badge has verified or failed with its current model, envelope and
   * context; never rejects. A badge that is not in the document does not verify.
   */
  whenDone(): Promise<BadgeOutcome>;
}

/**
 * Registers the badge under `name` (default `zkinfer-badge`) unless already defined. Returns
 * the class registered under the name, or null where there is no `customElements` (Node).
 */
export function defineBadge(name?: string): typeof ZkinferBadge | null;

/** The disclosed output in words: `class 2`, `scores 0: 0.1, 1: 0.9`, `score ≥ 0.5`. */
export function describeOutput(output: Output, classes?: string[]): string;

/** The first 8 hexadecimal digits of an id and an ellipsis. */
export function shortId(id: string): string;

/** The states, in order. */
export const BADGE_STATES: readonly BadgeState[];

export interface ZkinferBadgeEventMap {
  'zkinfer-verified': CustomEvent<Verified>;
  'zkinfer-failed': CustomEvent<BadgeError>;
}

declare global {
  interface HTMLElementTagNameMap {
    'zkinfer-badge': ZkinferBadge;
  }
  interface HTMLElementEventMap extends ZkinferBadgeEventMap {}
}
