// <zkinfer-badge>: a content-provenance badge. It verifies a zkinfer proof envelope in the page
// with the package's `verify` (no server, no worker: a verification takes milliseconds) against
// a public model and the context the envelope must be bound to, and shows the outcome: the
// disclosed output, the context, the model id, or why verification failed.
//
//   <script type="module" src="…/zkinfer/web/src/badge.js"></script>
//   <zkinfer-badge model="/models/m.json" src="/badges/item-7.json" context="item-7@2025-06-01">
//   </zkinfer-badge>
//
// Importing this module registers the element as `zkinfer-badge` unless that name is taken
// (and does nothing where there is no DOM, as in Node); `defineBadge(name)` registers it under
// another name. Types and the theming hooks (CSS custom properties, parts): badge.d.ts.

import { createProver, verify } from './index.js';

const STATES = ['verifying', 'verified', 'failed'];
const INPUTS = ['model', 'src', 'envelope', 'context'];

/** An error of the badge itself (the package's errors are ZkinferErrors). */
function badgeError(code, message, cause) {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = 'ZkinferBadgeError';
  error.code = code;
  return error;
}

async function fetchOk(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw badgeError('FETCH_FAILED', `cannot fetch the ${what} ${url}: ${e.message}`, e);
  }
  if (!response.ok) {
    throw badgeError('FETCH_FAILED', `cannot fetch the ${what} ${url}: HTTP ${response.status}`);
  }
  return response;
}

// Models by absolute URL, and by source (text, or an object or bytes): a promise of an
// in-thread prover, which holds the model's description (id, task, class labels) and serves as
// the model for `verify`. Every badge of a page that names one model shares one fetch and one
// load, kept for the page's lifetime.
const modelsByUrl = new Map();
const modelsByText = new Map();
const modelsByObject = new WeakMap();

function isProver(value) {
  return typeof value?.prove === 'function' && typeof value?.modelId === 'string';
}

function proverFor(source) {
  if (isProver(source)) return Promise.resolve(source);
  let cache = null;
  if (typeof source === 'string') cache = modelsByText;
  else if (typeof source === 'object' && source !== null) cache = modelsByObject;
  let loading = cache?.get(source);
  if (!loading) {
    loading = createProver({ model: source, worker: false });
    if (cache) {
      cache.set(source, loading);
      loading.catch(() => cache.delete(source));
    }
  }
  return loading;
}

function proverAt(url) {
  let loading = modelsByUrl.get(url);
  if (!loading) {
    loading = fetchOk(url, 'model')
      .then((response) => response.text())
      .then((text) => createProver({ model: text, worker: false }));
    modelsByUrl.set(url, loading);
    // A failed fetch is not remembered: the next badge (or attribute change) tries again.
    loading.catch(() => modelsByUrl.delete(url));
  }
  return loading;
}

/** `abcdef12…` */
export function shortId(id) {
  return typeof id === 'string' && id.length > 12 ? `${id.slice(0, 8)}…` : String(id ?? '');
}

function number(value) {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
}

/** The disclosed output in words: `class malignant`, `scores 0: 0.1, 1: 0.9`, `score ≥ 0.5`. */
export function describeOutput(output, classes = []) {
  switch (output?.kind) {
    case 'class':
      return `class ${output.label ?? classes[output.class] ?? output.class}`;
    case 'scores': {
      if (output.scores.length === 1) return `score ${number(output.scores[0])}`;
      const named = output.scores.map((s, i) => `${classes[i] ?? i}: ${number(s)}`);
      return `scores ${named.join(', ')}`;
    }
    case 'atLeast':
      return `score ${output.holds ? '≥' : '<'} ${number(output.threshold)}`;
    default:
      return 'unknown output';
  }
}

const ICONS = {
  // A check mark, a cross, three dots: the state is never told by colour alone.
  verified: '<path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>',
  failed: '<path d="M4.5 4.5l7 7m0-7l-7 7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  verifying: '<g fill="currentColor"><circle cx="3.5" cy="8" r="1.5"/><circle cx="8" cy="8" r="1.5"/><circle cx="12.5" cy="8" r="1.5"/></g>',
};

const STYLE = `
:host {
  display: inline-block;
  vertical-align: top;
  max-width: 100%;
  font: var(--zkinfer-badge-font, 0.875rem/1.35 system-ui, sans-serif);
  color: var(--zkinfer-badge-color, #1f2328);
  --_fg: var(--zkinfer-badge-pending-color, #4b5563);
  --_bg: var(--zkinfer-badge-pending-background, #f3f4f6);
}
:host([hidden]) { display: none; }
:host([state="verified"]) {
  --_fg: var(--zkinfer-badge-verified-color, #1a6b2f);
  --_bg: var(--zkinfer-badge-verified-background, #e8f5ec);
}
:host([state="failed"]) {
  --_fg: var(--zkinfer-badge-failed-color, #a4161a);
  --_bg: var(--zkinfer-badge-failed-background, #fdeceb);
}
button {
  all: unset;
  box-sizing: border-box;
  display: flex;
  align-items: flex-start;
  gap: 0.45em;
  max-width: 100%;
  padding: 0.35em 0.7em 0.35em 0.5em;
  border: 1px solid var(--_fg);
  border-radius: var(--zkinfer-badge-radius, 0.5em);
  background: var(--_bg);
  color: var(--_fg);
  cursor: pointer;
  text-align: start;
}
button:hover { filter: brightness(0.97); }
button:focus-visible {
  outline: 3px solid var(--zkinfer-badge-focus-color, #1d4ed8);
  outline-offset: 2px;
}
svg { flex: none; width: 1.15em; height: 1.15em; margin-top: 0.1em; }
:host([state="verifying"]) svg { animation: pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: 0.35; } }
@media (prefers-reduced-motion: reduce) { :host([state="verifying"]) svg { animation: none; } }
.text { display: flex; flex-direction: column; min-width: 0; }
.headline { font-weight: 600; }
.sub {
  display: flex;
  flex-wrap: wrap;
  font-size: 0.85em;
  color: var(--zkinfer-badge-muted-color, #4b5563);
}
.sub span { white-space: nowrap; }
.sub span:not(:last-child)::after { content: "·"; margin: 0 0.35em; }
.chevron { flex: none; margin: 0.25em 0 0 auto; padding-inline-start: 0.3em; }
button[aria-expanded="true"] .chevron { transform: rotate(180deg); }
[part~="details"] {
  margin-top: 0.35em;
  padding: 0.5em 0.7em;
  border: 1px solid var(--zkinfer-badge-border-color, #d0d7de);
  border-radius: var(--zkinfer-badge-radius, 0.5em);
  background: var(--zkinfer-badge-details-background, #fff);
  max-width: 34em;
}
[part~="details"][hidden] { display: none; }
dl { margin: 0; }
dt { font-size: 0.8em; font-weight: 600; color: var(--zkinfer-badge-muted-color, #4b5563); }
dd { margin: 0 0 0.35em; overflow-wrap: anywhere; }
code { font: 0.85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
p { margin: 0.5em 0 0; font-size: 0.85em; color: var(--zkinfer-badge-muted-color, #4b5563); }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`;

const TEMPLATE = `
<style>${STYLE}</style>
<button type="button" part="badge" aria-expanded="false" aria-controls="details">
  <svg part="icon" viewBox="0 0 16 16" aria-hidden="true"></svg>
  <span class="text">
    <span class="headline" part="headline"></span>
    <span class="sub" part="summary"></span>
  </span>
  <svg class="chevron" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>
</button>
<span class="sr-only" part="status" role="status" aria-live="polite" aria-atomic="true"></span>
<div id="details" part="details" hidden>
  <dl></dl>
  <p class="note"></p>
</div>
`;

const Base = globalThis.HTMLElement ?? class {};

/**
 * `<zkinfer-badge model="…" src="…" context="…">`: verifies a proof envelope in the page and
 * shows the outcome. State: the `state` attribute and property (`verifying`, `verified`,
 * `failed`), `result` or `error`, the `zkinfer-verified` and `zkinfer-failed` events, and
 * `whenDone()`.
 */
export class ZkinferBadge extends Base {
  static get observedAttributes() {
    return [...INPUTS, 'open'];
  }

  #root;
  #model; // the `model` property: a source or a prover, overriding the attribute
  #envelope; // the `envelope` property when not text
  #state = 'verifying';
  #result = null;
  #error = null;
  #info = null; // the model's description, once loaded
  #run = 0;
  #scheduled = false;
  #dirty = true; // inputs changed since the last verification started
  #waiters = [];

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    this.#root.innerHTML = TEMPLATE;
    this.#part('badge').addEventListener('click', () => {
      this.open = !this.open;
    });
  }

  #part(name) {
    return this.#root.querySelector(`[part~="${name}"]`);
  }

  connectedCallback() {
    this.#render();
    // A badge moved in the document keeps its outcome.
    if (this.#dirty) this.#schedule();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === 'open') {
      this.#part('badge').setAttribute('aria-expanded', String(after !== null));
      this.#part('details').hidden = after === null;
    } else {
      this.#changed();
    }
  }

  #changed() {
    this.#dirty = true;
    this.#schedule();
  }

  /** The state: `verifying`, `verified` or `failed`; reflected as the `state` attribute. */
  get state() {
    return this.#state;
  }

  /** The verified statement (`verify`'s result) once verified, else null. */
  get result() {
    return this.#result;
  }

  /** Why verification failed (an error with a `code`) once failed, else null. */
  get error() {
    return this.#error;
  }

  /** The model's description (id, task, features, class labels) once loaded, else null. */
  get modelInfo() {
    return this.#info;
  }

  /**
   * The model: a source (zkinfer model JSON text, bytes or object) or a prover, set as a
   * property; it overrides the `model` attribute (the model's URL). Null when unset.
   */
  get model() {
    return this.#model ?? null;
  }

  set model(value) {
    this.#model = value ?? undefined;
    this.#changed();
  }

  /**
   * The envelope: text sets the `envelope` attribute; bytes or a parsed object are kept as
   * they are. Null when unset.
   */
  get envelope() {
    return this.#envelope ?? this.getAttribute('envelope');
  }

  set envelope(value) {
    if (typeof value === 'string') {
      this.#envelope = undefined;
      this.setAttribute('envelope', value);
    } else {
      this.#envelope = value ?? undefined;
      if (value == null) this.removeAttribute('envelope');
      this.#changed();
    }
  }

  get src() {
    return this.getAttribute('src') ?? '';
  }

  set src(value) {
    this.setAttribute('src', value);
  }

  /** The context the envelope must be bound to, as text (empty: no context). */
  get context() {
    return this.getAttribute('context') ?? '';
  }

  set context(value) {
    this.setAttribute('context', value);
  }

  /** Whether the details panel is shown; reflected as the `open` attribute. */
  get open() {
    return this.hasAttribute('open');
  }

  set open(value) {
    this.toggleAttribute('open', Boolean(value));
  }

  /**
   * Resolves once the badge has verified or failed with its current model, envelope and
   * context (never rejects): `{state, result, error}`.
   */
  whenDone() {
    if (this.#state !== 'verifying' && !this.#scheduled) return Promise.resolve(this.#outcome());
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #outcome() {
    return { state: this.#state, result: this.#result, error: this.#error };
  }

  /** Verifies again after the current task: several changes in a row cost one verification. */
  #schedule() {
    if (this.#scheduled || !this.isConnected) return;
    this.#scheduled = true;
    // A verification still running is stale from now on.
    const run = ++this.#run;
    this.#setState('verifying');
    queueMicrotask(() => {
      this.#scheduled = false;
      if (run === this.#run && this.isConnected) this.#verify(run);
    });
  }

  #setState(state, result = null, error = null) {
    this.#state = state;
    this.#result = result;
    this.#error = error;
    if (this.getAttribute('state') !== state) this.setAttribute('state', state);
    this.#render();
  }

  async #verify(run) {
    this.#dirty = false;
    this.#info = null;
    const context = this.context;
    let result;
    let error;
    try {
      const [prover, envelope] = await Promise.all([this.#loadModel(), this.#loadEnvelope()]);
      if (run !== this.#run) return;
      this.#info = {
        modelId: prover.modelId,
        task: prover.task,
        features: prover.features,
        classes: prover.classes,
      };
      result = await verify(prover, envelope, { context });
    } catch (e) {
      error = e;
    }
    if (run !== this.#run) return;
    if (error) {
      if (!(error instanceof Error)) error = badgeError('INTERNAL', String(error));
      this.#setState('failed', null, error);
      this.dispatchEvent(
        new CustomEvent('zkinfer-failed', { detail: error, bubbles: true, composed: true }),
      );
    } else {
      this.#setState('verified', result);
      this.dispatchEvent(
        new CustomEvent('zkinfer-verified', { detail: result, bubbles: true, composed: true }),
      );
    }
    if (!this.#scheduled) {
      const waiters = this.#waiters.splice(0);
      for (const resolve of waiters) resolve(this.#outcome());
    }
  }

  #loadModel() {
    if (this.#model !== undefined) return proverFor(this.#model);
    const url = this.getAttribute('model');
    if (!url) {
      return Promise.reject(
        badgeError('BAD_INPUT', 'no model: set the model attribute (its URL) or property'),
      );
    }
    return proverAt(new URL(url, document.baseURI).href);
  }

  async #loadEnvelope() {
    if (this.#envelope !== undefined) return this.#envelope;
    const inline = this.getAttribute('envelope');
    if (inline) return inline;
    const src = this.getAttribute('src');
    if (!src) {
      throw badgeError('BAD_INPUT', 'no envelope: set the src attribute (its URL) or envelope');
    }
    const url = new URL(src, document.baseURI).href;
    // JSON or binary: verify tells them apart by content.
    return new Uint8Array(await (await fetchOk(url, 'envelope')).arrayBuffer());
  }

  #render() {
    const state = this.#state;
    const info = this.#info;
    const result = this.#result;
    const error = this.#error;
    const context = this.context;
    const modelId = result?.modelId ?? info?.modelId;
    const output = result ? describeOutput(result.output, info?.classes) : '';

    this.#part('icon').innerHTML = ICONS[state];
    const headline = {
      verifying: 'Verifying…',
      verified: `Verified: ${output}`,
      failed: 'Verification failed',
    }[state];
    this.#part('headline').textContent = headline;
    const summary = [];
    if (state === 'failed' && error) summary.push(error.code ?? error.name);
    if (context) summary.push(context);
    if (modelId) summary.push(`model ${shortId(modelId)}`);
    const span = (text) => Object.assign(document.createElement('span'), { textContent: text });
    this.#part('summary').replaceChildren(...summary.map(span));
    this.#part('badge').title = modelId ? `model id ${modelId}` : '';

    // What a screen reader announces when the state changes.
    const forContext = context ? `, for ${context}` : '';
    const code = error?.code ? ` (${error.code})` : '';
    const said = {
      verifying: 'Verifying the proof…',
      verified: `Verified: ${output}${forContext}, model ${shortId(modelId)}.`,
      failed: `Verification failed: ${error?.message ?? 'unknown error'}${code}.`,
    }[state];
    const status = this.#part('status');
    if (status.textContent !== said) status.textContent = said;

    const rows = [['Status', state === 'verifying' ? 'verifying…' : state]];
    if (result) rows.push(['Output', output]);
    if (error) rows.push(['Error', `${error.code ?? error.name}: ${error.message}`, 'error']);
    rows.push(['Context', context || '(none)', 'context']);
    if (modelId) rows.push(['Model id', modelId, 'model', true]);
    if (result) {
      rows.push(['Input commitment', result.inputCommitment, 'commitment', true]);
      rows.push(['Profile', result.profile]);
    }
    const list = this.#part('details').querySelector('dl');
    list.replaceChildren();
    for (const [term, value, part, mono] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      if (part) dd.setAttribute('part', part);
      if (mono) {
        const code = document.createElement('code');
        code.textContent = value;
        dd.append(code);
      } else {
        dd.textContent = value;
      }
      list.append(dt, dd);
    }
    this.#part('details').querySelector('.note').textContent = {
      verifying: 'Checking the zero-knowledge proof in this page.',
      verified:
        'This page checked a zero-knowledge proof: the public model, run on an input that ' +
        'stays private, gives this output, and the proof was made for this context.',
      failed: 'The proof does not hold for this model and context: do not trust this output.',
    }[state];
  }
}

/**
 * Registers the badge as `name` (default `zkinfer-badge`). Returns the class registered under
 * that name, or null where there is no `customElements` (Node).
 */
export function defineBadge(name = 'zkinfer-badge') {
  const registry = globalThis.customElements;
  if (!registry) return null;
  const existing = registry.get(name);
  if (existing) return existing;
  try {
    registry.define(name, ZkinferBadge);
    return ZkinferBadge;
  } catch (e) {
    // One class serves one name: another name gets a subclass.
    if (e?.name !== 'NotSupportedError') throw e;
    const cls = class extends ZkinferBadge {};
    registry.define(name, cls);
    return cls;
  }
}

if (globalThis.customElements && !globalThis.customElements.get('zkinfer-badge')) {
  defineBadge();
}

export { STATES as BADGE_STATES };
