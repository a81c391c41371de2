// `npm run bench`: prove and verify times of every example model natively, in Node and in
// headless Chromium, as a markdown table on stdout (progress on stderr), checked against the
// WebAssembly targets. A benchmark, not a test: a missed target does not fail it; a failed
// proof or verify does.
//
//   node scripts/bench-wasm.mjs [--runs N] [--model SUBSTRING] [--json FILE]
//   node scripts/bench-wasm.mjs --production DIR [--runs N]
//
// With --production, the production-size models scripts/bench-production.sh left in DIR (their
// `<name>.zk.json` and calibration `<name>.csv`) instead of the examples, in Node and Chromium.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { createProver, verify } from '../web/src/index.js';
import { heldoutRow, nativeOk, root } from '../tests/node/helpers.mjs';
import { launchChromium, openPage } from '../tests/browser/chromium.mjs';
import { startServer } from '../tests/browser/server.mjs';

const FLAGSHIP = 'breast_cancer_xgboost';
const TARGETS = { proveMs: 600, verifyMs: 15, ratio: 2.5 };
const CONTEXT = 'bench';
const PAGE = 'tests/browser/pages/index.html';
const WASM = join(root, 'web/pkg/zkinfer_wasm_bg.wasm');
// The bindings the package loads: importing the same URL gives the same module instance.
const BINDINGS = new URL('../web/pkg/zkinfer_wasm.js', import.meta.url).href;
const SCRIPT = fileURLToPath(import.meta.url);

const say = (line) => process.stderr.write(`${line}\n`);

// As `zkinfer bench`: the upper median.
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    model: { type: 'string' },
    json: { type: 'string' },
    production: { type: 'string' },
    // Internal: measure one model (a spec file) in Node in this fresh process, print JSON.
    'node-child': { type: 'string' },
  },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) {
  say(`--runs must be a positive integer, not ${args.runs}`);
  process.exit(2);
}

if (args['node-child']) {
  const spec = JSON.parse(readFileSync(args['node-child'], 'utf8'));
  process.stdout.write(JSON.stringify(await nodeChild(spec)));
} else {
  const start = performance.now();
  try {
    await (args.production ? production(args.production) : main());
  } catch (e) {
    say(`bench failed: ${e.stack ?? e}`);
    process.exitCode = 1;
  }
  say(`wall time ${((performance.now() - start) / 1e3).toFixed(1)} s`);
}

async function main() {
  const binary = buildNative();
  // helpers.native() runs $ZKINFER_BIN (else a dev build): use the release binary.
  process.env.ZKINFER_BIN = binary;
  const manifest = JSON.parse(readFileSync(join(root, 'examples/models.json'), 'utf8'));
  const entries = manifest.filter((e) => !args.model || e.name.includes(args.model));
  if (entries.length === 0) throw new Error(`no example model name contains ${args.model}`);

  say(`native: zkinfer bench --profile default --runs ${runs}`);
  const filter = args.model ? ['--model', args.model] : [];
  const native = parseNative(
    nativeOk('bench', '--profile', 'default', '--runs', `${runs}`, ...filter),
  );

  const dir = mkdtempSync(join(tmpdir(), 'zkinfer-bench-'));
  try {
    const models = entries.map((entry) => prepare(entry, dir, native));
    for (const m of models) {
      say(`node: ${m.name}`);
      m.node = measureNode(m, dir);
    }
    const chromiumVersion = await measureChromium(models);
    report(models, chromiumVersion);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The production-size models in `dir`, in Node and Chromium, as a markdown table. */
async function production(dir) {
  const names = readdirSync(dir)
    .filter((file) => file.endsWith('.zk.json'))
    .map((file) => file.slice(0, -'.zk.json'.length))
    .sort();
  if (names.length === 0) throw new Error(`no .zk.json model in ${dir}: run scripts/bench-production.sh`);
  const models = names.map((name) => {
    // The calibration file's first row, in the model's feature order.
    const [, row] = readFileSync(join(dir, `${name}.csv`), 'utf8').split('\n');
    const input = row.split(',').map(Number);
    return { name, model: readFileSync(join(dir, `${name}.zk.json`), 'utf8'), input, options: { context: CONTEXT } };
  });
  const scratch = mkdtempSync(join(tmpdir(), 'zkinfer-bench-'));
  try {
    for (const m of models) {
      say(`node: ${m.name}`);
      m.node = measureNode(m, scratch);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const chromiumVersion = await measureChromium(models);
  const mb = (bytes) => (bytes / (1 << 20)).toFixed(1);
  const out = [
    '| model | proof KB | prove ms Node / Chromium | first proof ms Chromium | ' +
      'verify ms Node / Chromium | wasm memory MB Node / Chromium |',
    '|---|---|---|---|---|---|',
  ];
  for (const { name, node, chromium } of models) {
    const prove = [node.prove, chromium.prove].map((v) => median(v).toFixed(0));
    const verified = [node.verify, chromium.verify].map((v) => median(v).toFixed(1));
    out.push(
      `| ${name} | ${(node.proofBytes / 1e3).toFixed(1)} | ${prove.join(' / ')} | ` +
        `${chromium.firstProveMs.toFixed(0)} | ${verified.join(' / ')} | ` +
        `${mb(node.memory)} / ${mb(chromium.memory)} |`,
    );
  }
  out.push(
    '',
    `Medians of ${runs} run${runs === 1 ? '' : 's'} after three warm-up proofs; default profile, ` +
      `one thread, zero knowledge on; the first calibration row; Node ${process.version} in the ` +
      `calling thread, Chromium ${chromiumVersion} (headless) in the package's worker.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Builds the native CLI (incremental: a no-op when it is up to date); returns its path. */
function buildNative() {
  say('cargo build --release --locked -p zkinfer');
  const build = spawnSync(
    'cargo',
    ['build', '--release', '--locked', '-p', 'zkinfer', '--message-format=json-render-diagnostics'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 },
  );
  if (build.status !== 0) throw new Error(`cargo build failed (status ${build.status})`);
  // Cargo names the executable it built (or found fresh), wherever the target directory is.
  const executable = build.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((m) => m.reason === 'compiler-artifact' && m.target?.name === 'zkinfer' && m.executable)
    ?.executable;
  if (!executable) throw new Error('cargo built no zkinfer executable');
  return executable;
}

/** `zkinfer bench`'s markdown table, by column name: model → {rows × columns, prove ms, …}. */
function parseNative(stdout) {
  const [header, , ...lines] = stdout.trim().split('\n');
  const cells = (line) => line.split('|').slice(1, -1).map((c) => c.trim());
  const names = cells(header);
  const table = new Map();
  for (const line of lines) {
    const row = Object.fromEntries(cells(line).map((c, i) => [names[i], c]));
    table.set(row.model, row);
  }
  return table;
}

/** Imports an example with the native CLI, as `zkinfer bench` does (always calibrated). */
function prepare(entry, dir, native) {
  const row = native.get(entry.name);
  if (!row) throw new Error(`zkinfer bench printed no line for ${entry.name}`);
  const path = join(dir, `${entry.name}.zk.json`);
  const examples = join(root, 'examples');
  const calibrate = ['--calibrate', join(examples, entry.calibration_csv)];
  nativeOk('import', join(examples, entry.model_file), '-o', path, ...calibrate);
  // The disclosure `zkinfer bench` proves: the class, or that a regression output is ≥ 0.
  const disclosure =
    entry.task === 'regression' ? { disclose: 'at-least', threshold: 0 } : { disclose: 'class' };
  return {
    name: entry.name,
    model: readFileSync(path, 'utf8'),
    input: heldoutRow(entry.name).input,
    options: { ...disclosure, context: CONTEXT },
    native: {
      shape: row['rows × columns'],
      proveMs: Number(row['prove ms']),
      verifyMs: Number(row['verify ms']),
      proofKB: Number(row['proof KB']),
      peakHeapMB: Number(row['peak heap MB']),
    },
  };
}

/**
 * Runs one model in a fresh Node process: the module's linear memory only grows, so what it
 * holds after the proofs is that model's peak, not an earlier model's.
 */
function measureNode(m, dir) {
  // A file, not an argument: a model can exceed the 128 KiB Linux allows one argument.
  const spec = join(dir, `${m.name}.spec.json`);
  writeFileSync(spec, JSON.stringify({ model: m.model, input: m.input, options: m.options }));
  const child = spawnSync(
    process.execPath,
    [SCRIPT, '--runs', `${runs}`, '--node-child', spec],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  );
  if (child.status !== 0) throw new Error(`${m.name} in Node failed (status ${child.status})`);
  return JSON.parse(child.stdout);
}

/** In the child: the timings of `timeProofs` in the calling thread, and the module's memory. */
async function nodeChild({ model, input, options }) {
  const zkinfer = { createProver, verify };
  const timed = await timeProofs({ model, input, options, runs, context: CONTEXT }, zkinfer);
  const { memoryBytes } = await import(BINDINGS);
  const proofBytes = Buffer.from(JSON.parse(timed.envelope).proof, 'base64').length;
  return { ...timed, memory: memoryBytes(), proofBytes };
}

/** Each model in a fresh page (fresh modules, fresh worker); returns Chromium's version. */
async function measureChromium(models) {
  const server = await startServer({ root });
  let browser;
  try {
    browser = await launchChromium();
    for (const m of models) {
      say(`chromium: ${m.name}`);
      const { page, log } = await openPage(browser, `${server.url}${PAGE}`);
      try {
        const { model, input, options } = m;
        m.chromium = await page.evaluate(timeProofs, {
          model,
          input,
          options,
          runs,
          context: CONTEXT,
        });
        // The worker that proved holds its own module: read its memory there.
        const workers = page.workers();
        if (workers.length !== 1) throw new Error(`${workers.length} workers in the page`);
        m.chromium.memory = await workers[0].evaluate(
          async (url) => (await import(url)).memoryBytes(),
          new URL('web/pkg/zkinfer_wasm.js', server.url).href,
        );
      } catch (e) {
        throw new Error(`${m.name} in Chromium: ${e.message}\nbrowser log:\n${log.join('\n')}`);
      } finally {
        await page.close();
      }
    }
    return browser.version();
  } finally {
    await browser?.close();
    await server.close();
  }
}

/**
 * Three warm-up proofs (the first one timed: a cold start), `runs` timed proofs, then a warm-up and
 * `runs` timed verifies, with the
 * package `zkinfer` (in a page: the one the test page exposes). Self-contained, because
 * playwright runs it in the page from its source. A page's prover runs in a worker (the
 * default, the product path), timed around `await prover.prove` so that messaging counts;
 * Node's runs in the calling thread. `verify` runs as users call it: it loads the model each
 * time.
 */
async function timeProofs({ model, input, options, runs, context }, zkinfer = globalThis.zkinfer) {
  const { createProver, verify } = zkinfer;
  const prover = await createProver({ model });
  const expected = typeof document === 'undefined' ? 'thread' : 'worker';
  if (prover.mode !== expected) throw new Error(`the prover runs in the ${prover.mode}`);
  // V8 compiles WebAssembly with a baseline compiler first and optimizes hot functions while
  // they run: the first proofs are slower, and small ones (20 ms) need a few to settle.
  let start = performance.now();
  let { envelope } = await prover.prove(input, options);
  const firstProveMs = performance.now() - start;
  for (let i = 1; i < 3; i++) ({ envelope } = await prover.prove(input, options));
  const prove = [];
  for (let i = 0; i < runs; i++) {
    start = performance.now();
    ({ envelope } = await prover.prove(input, options));
    prove.push(performance.now() - start);
  }
  const verifyMs = [];
  for (let i = -1; i < runs; i++) {
    start = performance.now();
    const verified = await verify(model, envelope, { context });
    if (i >= 0) verifyMs.push(performance.now() - start);
    if (verified.ok !== true) throw new Error(`verify said ${JSON.stringify(verified)}`);
  }
  return { prove, verify: verifyMs, firstProveMs, envelope };
}

function report(models, chromiumVersion) {
  for (const m of models) {
    m.median = {
      nodeProveMs: median(m.node.prove),
      nodeVerifyMs: median(m.node.verify),
      chromiumProveMs: median(m.chromium.prove),
      chromiumVerifyMs: median(m.chromium.verify),
    };
    m.median.nodeRatio = m.median.nodeProveMs / m.native.proveMs;
    m.median.chromiumRatio = m.median.chromiumProveMs / m.native.proveMs;
  }
  const ms = (value, digits) => value.toFixed(digits);
  const mb = (bytes) => (bytes / (1 << 20)).toFixed(1);
  const out = [
    '| model | rows × cols | proof KB | prove ms native / Node / Chromium | Chromium ÷ native | ' +
      'first proof ms Chromium | verify ms native / Node / Chromium | wasm memory MB Node / Chromium |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { name, native, node, chromium, median: t } of models) {
    const prove = [native.proveMs, t.nodeProveMs, t.chromiumProveMs].map((v) => ms(v, 1));
    const verified = [native.verifyMs, t.nodeVerifyMs, t.chromiumVerifyMs].map((v) => ms(v, 2));
    out.push(
      `| ${name} | ${native.shape} | ${native.proofKB.toFixed(1)} | ${prove.join(' / ')} | ` +
        `${t.chromiumRatio.toFixed(2)}× | ${ms(chromium.firstProveMs, 1)} | ` +
        `${verified.join(' / ')} | ` +
        `${mb(node.memory)} / ${mb(chromium.memory)} |`,
    );
  }

  const proofDelta = Math.max(
    ...models.map((m) => Math.abs(m.node.proofBytes / 1e3 - m.native.proofKB)),
  );
  const wasm = readFileSync(WASM);
  const gzip = gzipSync(wasm, { level: 9 });
  const kb = (bytes) => (bytes / 1e3).toFixed(1);
  out.push(
    '',
    `Medians of ${runs} run${runs === 1 ? '' : 's'} after three warm-up proofs (and a verify); default profile, one thread, ` +
      'zero knowledge on; the first held-out row; the class disclosed (regression: output ≥ 0); ' +
      `context '${CONTEXT}'.`,
    '* native: `zkinfer bench` (release build), on a model already loaded.',
    '* Node: an in-thread prover (`worker: false`). Chromium: a worker prover (the default in a ' +
      'page), timed in the page around `await prover.prove`, messaging included. First proof: ' +
      "the page's first, in a new worker whose module V8 has not optimized yet.",
    '* verify: `verify(modelJson, envelope, {context})` as users call it, in the calling thread ' +
      "(Chromium: the page's main thread); it parses and loads the model on every call, which " +
      'native verify does not.',
    '* wasm memory: the linear memory of the module that proved (Node: a fresh process; ' +
      "Chromium: the prover's worker in a fresh page) after the warm-up and timed proofs; it " +
      'only grows, so it is their peak: model, allocator slack and stack included.',
    `* proof KB: the native proof; Node's proofs differ from it by ≤ ${proofDelta.toFixed(1)} KB.`,
    '',
    ...targets(models),
    '',
    `wasm: ${kb(wasm.length)} KB raw, ${kb(gzip.length)} KB gzip -9 ` +
      `(web/pkg/zkinfer_wasm_bg.wasm); Node ${process.version}; Chromium ${chromiumVersion} ` +
      `(headless); ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);

  if (args.json) {
    const raw = {
      runs,
      node: process.version,
      chromium: chromiumVersion,
      wasm: { bytes: wasm.length, gzipBytes: gzip.length },
      models: models.map(({ model, input, ...measured }) => measured),
    };
    writeFileSync(args.json, `${JSON.stringify(raw, null, 2)}\n`);
    say(`wrote ${args.json}`);
  }
}

/** The three target lines, PASS or MISS with the numbers. */
function targets(models) {
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  const lines = [];
  const flagship = models.find((m) => m.name === FLAGSHIP);
  if (flagship) {
    const { chromiumProveMs: prove, chromiumVerifyMs: verified } = flagship.median;
    lines.push(
      `* ${verdict(prove <= TARGETS.proveMs)}: ${FLAGSHIP} proves in ${prove.toFixed(1)} ms in ` +
        `Chromium (target ≤ ${TARGETS.proveMs} ms)`,
      `* ${verdict(verified <= TARGETS.verifyMs)}: ${FLAGSHIP} verifies in ` +
        `${verified.toFixed(2)} ms in Chromium (target ≤ ${TARGETS.verifyMs} ms)`,
    );
  } else {
    lines.push(`* ${FLAGSHIP} not measured (--model): its prove and verify targets are unchecked`);
  }
  // The worst prove-time ratio over every model and both runtimes.
  const ratios = models.flatMap(({ name, median: t }) => [
    { ratio: t.nodeRatio, where: `${name} in Node` },
    { ratio: t.chromiumRatio, where: `${name} in Chromium` },
  ]);
  const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const also = flagship
    ? `; ${FLAGSHIP}: ${flagship.median.chromiumRatio.toFixed(2)}× in Chromium`
    : '';
  lines.push(
    `* ${verdict(worst.ratio <= TARGETS.ratio)}: wasm proves in at most ` +
      `${worst.ratio.toFixed(2)}× the native time, every model in Node and Chromium ` +
      `(worst: ${worst.where}${also}; target ≤ ${TARGETS.ratio}×)`,
  );
  return ['Targets (one thread, default profile, zero knowledge on):', ...lines];
}
