// A browser app built with vite that uses the npm package as any consumer would. The model
// (zkinfer JSON) and the applicant's input are written beside this file by build.mjs.

import { createProver, verify } from 'zkinfer';

import applicant from './applicant.json';
import model from './model.zk.json?raw';

const button = document.querySelector('#prove');
const result = document.querySelector('#result');

function show(state, outcome) {
  result.dataset.state = state;
  result.textContent = JSON.stringify(outcome, null, 2);
}

button.addEventListener('click', async () => {
  button.disabled = true;
  show('proving', {});
  try {
    const prover = await createProver({ model });
    const started = performance.now();
    const phases = [];
    const proof = await prover.prove(applicant, { onProgress: ({ phase }) => phases.push(phase) });
    const proveMs = performance.now() - started;
    const verified = await verify(model, proof.envelope);
    show('done', {
      mode: prover.mode,
      modelId: prover.modelId,
      class: proof.output.class,
      verified: verified.ok,
      phases,
      proofBytes: proof.envelope.length,
      proveMs: Math.round(proveMs),
    });
    prover.close();
  } catch (e) {
    show('error', { code: e.code, message: e.message });
  } finally {
    button.disabled = false;
window.ready = true;
  }
});
button.disabled = false;
window.ready = true;
