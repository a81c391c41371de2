// Proving off the calling thread (a worker_threads worker in Node, the same worker script a page
// runs as a Web Worker), progress reports, cancellation through an AbortSignal, and the largest
// model the limits allow, which proves within the module's 1 GiB.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createProver, verify } from '../../web/src/index.js';
import { heldoutRow, importExample, PHASES, rejects, tempDir, withBalancedTrees } from './helpers.mjs';

const dir = tempDir();
const flagship = importExample('breast_cancer_xgboost', dir);
const iris = importExample('iris_xgboost_multiclass', dir);
const { input, expected } = heldoutRow('breast_cancer_xgboost');

/** Asserts one report per phase, in order, with growing fractions from 0 to 1. */
function assertProgress(reports) {
  assert.deepEqual(
    reports.map((r) => r.phase),
    PHASES,
  );
  const fractions = reports.map((r) => r.fraction);
  assert.equal(fractions[0], 0);
  assert.equal(fractions.at(-1), 1);
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i] > fractions[i - 1], fractions);
}

for (const worker of [true, false]) {
  describe(worker ? 'in a worker' : 'in the calling thread', () => {
    test('proves with a progress report per phase, and the proof verifies', async () => {
      const prover = await createProver({ model: flagship.text, worker });
      assert.equal(prover.mode, worker ? 'worker' : 'thread');
      const reports = [];
      const proof = await prover.prove(input, { onProgress: (r) => reports.push(r) });
      assertProgress(reports);
      assert.equal(proof.output.class, expected.class);
      const verified = await verify(prover, proof.envelope);
      assert.equal(verified.inputCommitment, proof.inputCommitment);
      prover.close();
    });

    test('an already aborted signal stops the proof before it starts', async () => {
      const prover = await createProver({ model: iris.text, worker });
      const reason = new Error('the user left');
      const error = await rejects(
        prover.prove([5, 3, 1, 0.2], { signal: AbortSignal.abort(reason) }),
        'ABORTED',
        /the proof was aborted/,
      );
      assert.equal(error.cause, reason);
      prover.close();
    });

    test('an exception thrown by onProgress rejects the proof; the prover still works', async () => {
      const prover = await createProver({ model: iris.text, worker });
      const thrown = new Error('a broken progress bar');
      const onProgress = () => {
        throw thrown;
      };
      await assert.rejects(prover.prove([5, 3, 1, 0.2], { onProgress }), (e) => e === thrown);
      assert.equal((await prover.prove([5, 3, 1, 0.2])).output.kind, 'class');
      prover.close();
    });
  });
}

describe('in a worker', () => {
  test('aborting a running proof terminates it; the prover proves again with a new worker', async () => {
    const prover = await createProver({ model: flagship.text, worker: true });
    const controller = new AbortController();
    const reports = [];
    const onProgress = (report) => {
      reports.push(report);
      // Mid-proof: the trace is built, the worker is committing to it.
      if (report.phase === 'commit-trace') controller.abort();
    };
    await rejects(
      prover.prove(input, { onProgress, signal: controller.signal }),
      'ABORTED',
      /aborted/,
    );
    assert.deepEqual(
      reports.map((r) => r.phase),
      ['trace', 'commit-trace'],
    );
    const proof = await prover.prove(input);
    assert.equal(proof.output.class, expected.class);
    assert.ok((await verify(flagship.text, proof.envelope)).ok);
    prover.close();
  });

  test('aborting a queued proof takes it out of the queue; the running one finishes', async () => {
    const prover = await createProver({ model: flagship.text, worker: true });
    const controller = new AbortController();
    const running = prover.prove(input);
    const queued = prover.prove(input, { signal: controller.signal });
    controller.abort();
    await rejects(queued, 'ABORTED', /aborted/);
    assert.equal((await running).output.class, expected.class);
    prover.close();
  });

  test('errors cross the worker as ZkinferErrors; closing rejects what is left', async () => {
    await rejects(createProver({ model: '{"format": 1}', worker: true }), 'BAD_MODEL', /./);
    const prover = await createProver({ model: iris.text, worker: true });
    await rejects(prover.prove([1, 2, 3]), 'BAD_INPUT', /the model takes 4 features, the input has 3/);
    await rejects(prover.prove([1, 2, 3, Infinity]), 'BAD_INPUT', /is inf/);
    await rejects(prover.prove([1, 2, 3, () => 4]), 'BAD_INPUT', /cannot pass this to the prover/);
    await rejects(prover.prove([1, 2, 3, 4], { disclose: 'everything' }), 'BAD_INPUT', /disclose/);
    const pending = prover.prove([5, 3, 1, 0.2]);
    prover.close();
    await rejects(pending, 'BAD_INPUT', /closed/);
    await rejects(prover.prove([5, 3, 1, 0.2]), 'BAD_INPUT', /this prover is closed/);
  });

  test('the largest model the limits allow proves within the module\'s 1 GiB; a larger one is refused', async () => {
    // The flagship's input with n balanced trees of 255 splits (depth 8).
    const withTrees = (n) => withBalancedTrees(flagship.text, n, 255);
    // 512 trees: 130,560 splits, a table of 32,641 rows four to a row, a 2^15-row trace under
    // the 2^21-cell limit (56 base columns under the high profile, whose 83 random rows fit
    // after the table); 513 trees need 2^16 rows.
    const prover = await createProver({ model: withTrees(512), worker: true });
    const values = prover.features.map((f) => input[f]);
    const proof = await prover.prove(values);
    const verified = await verify(prover, proof.envelope);
    assert.equal(verified.inputCommitment, proof.inputCommitment);
    prover.close();
    // 513 trees need 2^16 rows: refused when the model loads, before any proof.
    await rejects(
      createProver({ model: withTrees(513), worker: true }),
      'BAD_MODEL',
      /zkinfer model too large: the model needs a trace of 65536 rows/,
    );
  });
});
