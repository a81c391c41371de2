// The npm package in a real browser: headless Chromium (Debian's) loads pages/index.html, which
// imports web/src/index.js as a page would, with no bundler; the tests drive it through
// page.evaluate and check its envelopes against Node and the native CLI, both ways. One browser
// and one page serve every test of the file.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import { verify as nodeVerify } from '../../web/src/index.js';
import {
  heldoutRow,
  importExample,
  nativeModelId,
  nativeOk,
  PHASES,
  root,
  tempDir,
} from '../node/helpers.mjs';
import { browserTest as logged, launchChromium, openPage } from './chromium.mjs';
import { startServer } from './server.mjs';

const FLAGSHIP = 'breast_cancer_xgboost';
const PAGE = 'tests/browser/pages/index.html';
const CONTEXT = 'nonce 7f3a; origin http://127.0.0.1';

const dir = tempDir();
const flagship = importExample(FLAGSHIP, dir);
const { input, expected } = heldoutRow(FLAGSHIP);
const inputPath = join(dir, 'input.json');
writeFileSync(inputPath, JSON.stringify(input));

let server;
let browser;
let page;
// What the browser said (console, page errors, failed requests, workers) and its uncaught
// errors, for every page the tests open.
const log = [];
const errors = [];
let failures = 0;

before(async () => {
  server = await startServer({ root });
  browser = await launchChromium();
  page = await load(server);
});

after(async () => {
  // One screenshot of the shared page when something failed, kept for a look afterwards.
  if (failures > 0 && page) {
    const shot = join(mkdtempSync(join(tmpdir(), 'zkinfer-browser-')), 'page.png');
    await page.screenshot({ path: shot }).then(
      () => console.error(`browser tests: screenshot of the page at ${shot}`),
      (e) => console.error(`browser tests: no screenshot (${e.message})`),
    );
  }
  await browser?.close();
  await server?.close();
});

/**
 * Opens the test page from `from` and hands it the flagship model and its first held-out row
 * (`window.model`, `window.input`), and `window.failure`: errors do not survive page.evaluate
 * (its result must be serializable), so the page turns a rejection into a plain object.
 */
async function load(from) {
  const { page: opened } = await openPage(browser, `${from.url}${PAGE}`, { log, errors });
  await opened.evaluate(
    ([model, input]) => {
      window.model = model;
      window.input = input;
      window.failure = async (fn) => {
        try {
          await fn();
        } catch (e) {
          return {
            name: e?.name,
            code: e?.code,
            message: String(e?.message ?? e),
            isZkinferError: e instanceof window.zkinfer.ZkinferError,
          };
        }
        return null;
      };
    },
    [flagship.text, input],
  );
  return opened;
}

/** A test that, when it fails, prints what the browser said meanwhile. */
function browserTest(name, fn) {
  logged(name, log, fn, () => (failures += 1));
}

/** Verifies an envelope with the native CLI; returns its output. */
function verifyNatively(envelope, name) {
  const path = join(dir, name);
  writeFileSync(path, envelope);
  const out = nativeOk('verify', flagship.path, path, '--context', CONTEXT);
  assert.match(out, new RegExp(`^valid: class ${expected.class}\\b`, 'm'));
  return out;
}

/** Asserts that a page-side `failure` is a ZkinferError of `code` whose message matches. */
function assertError(error, code, message, what) {
  assert.ok(error, `${what}: expected a ${code} error, got success`);
  assert.ok(error.isZkinferError, `${what}: not a ZkinferError: ${JSON.stringify(error)}`);
  assert.equal(error.name, 'ZkinferError', what);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.match(error.message, message, what);
}

browserTest('the flagship proves and verifies in a page, in Node and natively', async (t) => {
  const inPage = await page.evaluate(async (context) => {
    const { zkinfer, model, input } = window;
    const prover = await zkinfer.createProver({ model });
    const started = performance.now();
    const proof = await prover.prove(input, { context });
    const proveMs = performance.now() - started;
    const verified = await zkinfer.verify(model, proof.envelope, { context });
    const opens = await prover.open(input, proof.opening, proof.envelope);
    const result = { mode: prover.mode, modelId: prover.modelId, proof, verified, opens, proveMs };
    prover.close();
    return result;
  }, CONTEXT);
  const { proof } = inPage;
  t.diagnostic(`proved in ${inPage.proveMs.toFixed(0)} ms (prover mode ${inPage.mode})`);
  // A page's prover proves in a worker unless told otherwise.
  assert.equal(inPage.mode, 'worker');
  const idNatively = nativeModelId(nativeOk('inspect', flagship.path));
  assert.equal(inPage.modelId, idNatively);
  assert.equal(proof.modelId, idNatively);
  assert.equal(proof.output.kind, 'class');
  assert.equal(proof.output.class, expected.class);
  assert.deepEqual(inPage.verified, {
    ok: true,
    modelId: idNatively,
    inputCommitment: proof.inputCommitment,
    output: proof.output,
    profile: 'default',
  });
  assert.equal(inPage.opens, true);

  // The browser's envelope verifies natively and in Node.
  const out = verifyNatively(proof.envelope, 'browser.json');
  assert.equal(nativeModelId(out), idNatively);
  assert.match(out, new RegExp(`^commitment +${proof.inputCommitment}$`, 'm'));
  const inNode = await nodeVerify(flagship.text, proof.envelope, { context: CONTEXT });
  assert.equal(inNode.inputCommitment, proof.inputCommitment);
  assert.deepEqual(inNode.output, proof.output);

  // Envelopes proved natively, JSON and binary, verify in the page; their openings open there.
  for (const binary of [false, true]) {
    const path = join(dir, `native.${binary ? 'bin' : 'json'}`);
    const args = ['prove', flagship.path, inputPath, '--context', CONTEXT, '-o', path];
    const proved = nativeOk(...args, ...(binary ? ['--binary'] : []));
    const commitment = proved.match(/^commitment +([0-9a-f]{64})$/m)[1];
    const bytes = readFileSync(path);
    const opening = readFileSync(`${path}.opening.json`, 'utf8');
    const result = await page.evaluate(
      async ([envelope, binary, opening, context]) => {
        const { zkinfer, model, input } = window;
        const source = binary ? new Uint8Array(envelope) : envelope;
        return {
          verified: await zkinfer.verify(model, source, { context }),
          opens: await zkinfer.open(model, input, opening, source),
        };
      },
      // page.evaluate passes JSON-like values: the binary form goes as an array of bytes.
      [binary ? [...bytes] : bytes.toString('utf8'), binary, opening, CONTEXT],
    );
    assert.equal(result.verified.inputCommitment, commitment, binary ? 'binary' : 'JSON');
    assert.equal(result.verified.modelId, idNatively);
    assert.equal(result.verified.output.class, expected.class);
    assert.equal(result.opens, true);
  }
});

browserTest('a neural network (MLP 64-32-10) proves in a page and verifies natively', async (t) => {
  const digits = importExample('digits_mlp', dir);
  const { input: image, expected: library } = heldoutRow('digits_mlp', 2);
  const inPage = await page.evaluate(
    async ([model, input, context]) => {
      const { zkinfer } = window;
      const prover = await zkinfer.createProver({ model });
      const started = performance.now();
      const proof = await prover.prove(input, { context });
      const proveMs = performance.now() - started;
      const verified = await zkinfer.verify(model, proof.envelope, { context });
      prover.close();
      return { proof, verified, proveMs };
    },
    [digits.text, image, CONTEXT],
  );
  t.diagnostic(`proved in ${inPage.proveMs.toFixed(0)} ms`);
  assert.equal(inPage.proof.output.class, library.class);
  assert.equal(inPage.verified.output.class, library.class);
  const path = join(dir, 'digits.json');
  writeFileSync(path, inPage.proof.envelope);
  const out = nativeOk('verify', digits.path, path, '--context', CONTEXT);
  assert.match(out, new RegExp(`^valid: class ${library.class}\\b`, 'm'));
});

browserTest('a Web Worker proves with progress, the page stays responsive, aborts', async (t) => {
  const result = await page.evaluate(async (context) => {
    const { zkinfer, model, input, failure } = window;
    const prover = await zkinfer.createProver({ model, worker: true });
    const mode = prover.mode;

    // The main thread's liveness while the worker proves: setTimeout(0) ticks, the longest gap
    // between two of them, and animation frames. A proof in this thread would allow none.
    let ticking = true;
    let ticks = 0;
    let frames = 0;
    let maxGap = 0;
    let last = performance.now();
    const tick = () => {
      if (!ticking) return;
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks += 1;
      setTimeout(tick, 0);
    };
    const frame = () => {
      if (!ticking) return;
      frames += 1;
      requestAnimationFrame(frame);
    };
    const progress = [];
    const started = performance.now();
    setTimeout(tick, 0);
    requestAnimationFrame(frame);
    const proof = await prover.prove(input, {
      context,
      onProgress: ({ phase, fraction }) =>
        progress.push({ phase, fraction, ms: Math.round(performance.now() - started) }),
    });
    const proveMs = performance.now() - started;
    ticking = false;
    const verified = await zkinfer.verify(model, proof.envelope, { context });

    // Cancellation: abort at the first progress report, or after 20 ms if none came yet.
    const controller = new AbortController();
    let abortedAt;
    const abort = () => {
      if (abortedAt !== undefined) return;
      abortedAt = performance.now();
      controller.abort();
    };
    const timer = setTimeout(abort, 20);
    const aborted = await failure(() =>
      prover.prove(input, { context, signal: controller.signal, onProgress: abort }),
    );
    clearTimeout(timer);
    const abortMs = performance.now() - abortedAt;
    const preAborted = await failure(() => prover.prove(input, { signal: AbortSignal.abort() }));

    // The prover still works after both (in a new worker, which loads the module again).
    const againStarted = performance.now();
    const again = await prover.prove(input, { context });
    const againMs = performance.now() - againStarted;
    const againVerified = await zkinfer.verify(model, again.envelope, { context });
    prover.close();
    return {
      mode,
      proof,
      verified,
      progress,
      proveMs,
      ticks,
      frames,
      maxGap,
      aborted,
      abortMs,
      preAborted,
      again,
      againMs,
      againVerified,
    };
  }, CONTEXT);
  const { progress } = result;
  t.diagnostic(
    `worker: proved in ${result.proveMs.toFixed(0)} ms; main thread ${result.ticks} ticks ` +
      `(longest gap ${result.maxGap.toFixed(0)} ms), ${result.frames} frames; ` +
      `abort took ${result.abortMs.toFixed(0)} ms, ` +
      `the next proof ${result.againMs.toFixed(0)} ms; ` +
      `progress ${JSON.stringify(progress)}`,
  );
  assert.equal(result.mode, 'worker');

  assert.equal(result.proof.output.class, expected.class);
  assert.equal(result.verified.inputCommitment, result.proof.inputCommitment);
  assert.ok(progress.length >= 3, `several progress reports: ${JSON.stringify(progress)}`);
  let previous = 0;
  for (const { phase, fraction } of progress) {
    assert.ok(PHASES.includes(phase), `unknown phase ${JSON.stringify(phase)}`);
    assert.ok(fraction >= previous && fraction <= 1, `fraction ${fraction} after ${previous}`);
    previous = fraction;
  }
  assert.deepEqual(
    { phase: progress.at(-1).phase, fraction: progress.at(-1).fraction },
    { phase: 'done', fraction: 1 },
  );
  // The page kept running: many ticks, and no gap near the proof's length.
  assert.ok(result.ticks >= 5, `${result.ticks} ticks during ${result.proveMs} ms`);
  assert.ok(
    result.maxGap < result.proveMs / 2,
    `the main thread stalled ${result.maxGap} ms of a ${result.proveMs} ms proof`,
  );

  assertError(result.aborted, 'ABORTED', /abort/i, 'an aborted proof');
  assert.ok(result.abortMs < 1000, `the abort took ${result.abortMs} ms`);
  assertError(result.preAborted, 'ABORTED', /abort/i, 'an already-aborted signal');

  assert.equal(result.again.output.class, expected.class);
  assert.equal(result.againVerified.inputCommitment, result.again.inputCommitment);
  verifyNatively(result.proof.envelope, 'worker.json');
  verifyNatively(result.again.envelope, 'worker-again.json');
});

// Bad input from JavaScript: typed errors with a stable code and a clear message, also when
// they cross the worker boundary. `default` is what a page gets without asking (a worker in
// browsers).
for (const [mode, options] of [
  ['default', {}],
  ['in-thread', { worker: false }],
  ['worker', { worker: true }],
]) {
  browserTest(`bad input gives ZkinferErrors with their codes (${mode} prover)`, async () => {
    const found = await page.evaluate(
      async ([options, context]) => {
        const { zkinfer, model, input, failure } = window;
        const prover = await zkinfer.createProver({ model, ...options });
        const first = Object.keys(input)[0];
        const values = Object.values(input);
        const proof = await prover.prove(input, { context });
        const half = proof.envelope.slice(0, proof.envelope.length >> 1);
        const found = {
          mode: prover.mode,
          featureCount: await failure(() => prover.prove(values.slice(1))),
          infinite: await failure(() => prover.prove({ ...input, [first]: Infinity })),
          string: await failure(() => prover.prove({ ...input, [first]: '17.99' })),
          badModel: await failure(() => zkinfer.createProver({ model: 'garbage', ...options })),
          garbageEnvelope: await failure(() =>
            zkinfer.verify(prover, 'this is no envelope', { context }),
          ),
          truncatedEnvelope: await failure(() => zkinfer.verify(prover, half, { context })),
          truncatedBinary: await failure(() =>
            zkinfer.verify(model, new TextEncoder().encode('ZKINFER\0\x06\x00'), { context }),
          ),
          wrongContext: await failure(() =>
            zkinfer.verify(prover, proof.envelope, { context: 'another nonce' }),
          ),
        };
        // None of them broke the prover.
        found.afterwards = (await prover.prove(input)).output.class;
        prover.close();
        return found;
      },
      [options, CONTEXT],
    );
    if (mode === 'in-thread') assert.notEqual(found.mode, 'worker');
    if (mode === 'worker') assert.equal(found.mode, 'worker');
    const cases = [
      ['featureCount', 'BAD_INPUT', /the model takes 30 features, the input has 29/],
      ['infinite', 'BAD_INPUT', /feature "mean_radius" is inf; inputs must be finite numbers/],
      ['string', 'BAD_INPUT', /feature "mean_radius": "17.99" is not a number/],
      ['badModel', 'BAD_MODEL', /not a zkinfer model/],
      ['garbageEnvelope', 'BAD_ENVELOPE', /not a zkinfer proof envelope \(bad magic\)/],
      ['truncatedEnvelope', 'BAD_ENVELOPE', /invalid JSON envelope: EOF/],
      ['truncatedBinary', 'BAD_ENVELOPE', /the envelope is truncated/],
      ['wrongContext', 'INVALID_PROOF', /the proof was made for another context/],
    ];
    for (const [what, code, message] of cases) assertError(found[what], code, message, what);
    assert.equal(found.afterwards, expected.class);
  });
}

browserTest('works on a cross-origin-isolated page (COOP and COEP headers)', async () => {
  const isolated = await startServer({ root, isolate: true });
  let other;
  try {
    other = await load(isolated);
    const result = await other.evaluate(async (context) => {
      const { zkinfer, model, input } = window;
      const prover = await zkinfer.createProver({ model });
      const mode = prover.mode;
      const proof = await prover.prove(input, { context });
      const verified = await zkinfer.verify(model, proof.envelope, { context });
      prover.close();
      return { isolated: window.crossOriginIsolated, mode, proof, verified };
    }, CONTEXT);
    assert.equal(result.isolated, true);
    assert.equal(result.proof.output.class, expected.class);
    assert.equal(result.verified.inputCommitment, result.proof.inputCommitment);
  } finally {
    await other?.close();
    await isolated.close();
  }
});

browserTest('a page loading the package from another origin (a CDN) proves in a worker', async () => {
  // The package on a second server (another port is another origin) that allows CORS, as CDNs
  // do; the page stays on the first. Browsers start workers only from the page's origin.
  const cdn = await startServer({ root, cors: true });
  try {
    const result = await page.evaluate(
      async ([url, context]) => {
        const { model, input } = window;
        const zkinfer = await import(url);
        const prover = await zkinfer.createProver({ model });
        const proof = await prover.prove(input, { context });
        const verified = await zkinfer.verify(model, proof.envelope, { context });
        prover.close();
        return { mode: prover.mode, proof, verified, page: location.origin };
      },
      [`${cdn.url}web/src/index.js`, CONTEXT],
    );
    assert.notEqual(`${result.page}/`, cdn.url);
    assert.equal(result.mode, 'worker');
    assert.equal(result.proof.output.class, expected.class);
    assert.equal(result.verified.inputCommitment, result.proof.inputCommitment);
  } finally {
    await cdn.close();
  }
});

browserTest('no uncaught errors in the pages', () => {
  assert.deepEqual(
    errors.map((e) => e.stack ?? String(e)),
    [],
  );
});
