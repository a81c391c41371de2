// Shared by the Node tests of the npm package: the native CLI, example models imported with it,
// held-out rows, temporary directories.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ZkinferError } from '../../web/src/index.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The phases a proof reports progress for, in order. */
export const PHASES = ['trace', 'commit-trace', 'constraints', 'composition', 'fri', 'done'];

let bin;

/**
 * The native `zkinfer` binary: `$ZKINFER_BIN`, or built here with cargo (the dev profile,
 * which `cargo test` has mostly built already).
 */
export function zkinferBin() {
  if (bin) return bin;
  if (process.env.ZKINFER_BIN) return (bin = process.env.ZKINFER_BIN);
  const build = spawnSync(
    'cargo',
    ['build', '--locked', '--quiet', '-p', 'zkinfer', '--bin', 'zkinfer', '--message-format=json'],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (build.status !== 0) throw new Error(`cargo build failed:\n${build.stderr}`);
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason === 'compiler-artifact' && message.target?.name === 'zkinfer' && message.executable) {
      bin = message.executable;
    }
  }
  if (!bin) throw new Error('cargo built no zkinfer executable');
  return bin;
}

/** Runs the native CLI; returns its status and output. */
export function native(...args) {
  const run = spawnSync(zkinferBin(), args, { cwd: root, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the native CLI and fails on a non-zero exit. */
export function nativeOk(...args) {
  const run = native(...args);
  if (run.status !== 0) {
    throw new Error(`zkinfer ${args.join(' ')} exited with ${run.status}:\n${run.stderr}`);
  }
  return run.stdout;
}

/** A temporary directory, removed when the test file ends. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'zkinfer-node-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An example model imported into zkinfer JSON by the native CLI, with its calibration file as
 * `examples/models.json` lists it: `{path, text}`.
 */
export function importExample(name, dir) {
  const examples = join(root, 'examples');
  const manifest = JSON.parse(readFileSync(join(examples, 'models.json'), 'utf8'));
  const entry = manifest.find((e) => e.name === name);
  if (!entry) throw new Error(`no example ${name} in examples/models.json`);
  const path = join(dir, `${name}.zk.json`);
  const calibrate = ['--calibrate', join(examples, entry.calibration_csv)];
  nativeOk('import', join(examples, entry.model_file), '-o', path, ...calibrate);
  return { path, text: readFileSync(path, 'utf8') };
}

/**
 * Row `row` of an example's held-out CSV: `{input, expected}`, the input an object of feature
 * name → number (header order), `expected` the library's recorded `expected_*` columns.
 */
export function heldoutRow(name, row = 0) {
  const csv = readFileSync(join(root, 'examples/models', name, 'heldout.csv'), 'utf8');
  const [header, ...rows] = csv.trim().split('\n');
  const cells = rows[row].split(',').map(Number);
  const input = {};
  const expected = {};
  header.split(',').forEach((column, i) => {
    if (column.startsWith('expected_')) expected[column.slice('expected_'.length)] = cells[i];
    else input[column] = cells[i];
  });
  return { input, expected };
}

/** The model id the golden file pins for an example. */
export function goldenModelId(name) {
  const golden = readFileSync(join(root, 'tests/golden/model-ids.txt'), 'utf8');
  const line = golden.split('\n').find((l) => l.startsWith(`${name} `));
  return line?.split(' ')[1];
}

/** The `model id` line of native output. */
export function nativeModelId(stdout) {
  return stdout.match(/^model id +([0-9a-f]{64})$/m)?.[1];
}

/** Asserts that `promise` rejects with a ZkinferError of `code` whose message matches. */
export async function rejects(promise, code, message) {
  const error = await promise.then(
    () => assert.fail(`expected a ${code} error`),
    (e) => e,
  );
  assert.ok(error instanceof ZkinferError, `${error?.stack ?? error}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, message);
  return error;
}

/**
 * `modelText` (a tree model's JSON) with its trees replaced by `trees` copies of one balanced
 * tree of `splits` splits on feature 0 (node i's children are 2i + 1 and 2i + 2): a model of a
 * chosen trace size, for the size limits.
 */
export function withBalancedTrees(modelText, trees, splits) {
  const model = JSON.parse(modelText);
  const tree = {
    target: 0,
    feature: new Array(splits).fill(0),
    threshold: new Array(splits).fill(1),
    left: Array.from({ length: splits }, (_, i) => 2 * i + 1),
    right: Array.from({ length: splits }, (_, i) => 2 * i + 2),
    leaf_value: Array.from({ length: splits + 1 }, (_, i) => (i % 7) - 3),
  };
  // A model that defines missing values (format version 2) gives every split a default branch.
  if (model.input.missing) tree.default_left = Array.from({ length: splits }, (_, i) => i % 2 === 0);
  model.body.trees.trees = new Array(trees).fill(tree);
  return model;
}
