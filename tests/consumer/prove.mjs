// A Node consumer of the installed package: proves the private input with the model, verifies
// the envelope, and prints one JSON line for the test to check.
// Usage: node prove.mjs MODEL.zk.json INPUT.json

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { createProver, verify } from 'zkinfer';

const [modelPath, inputPath] = process.argv.slice(2);
const model = await readFile(modelPath, 'utf8');
const input = JSON.parse(await readFile(inputPath, 'utf8'));

const prover = await createProver({ model });
const proof = await prover.prove(input);
const verified = await verify(model, proof.envelope);

console.log(
  JSON.stringify({
    // Where `zkinfer` came from: the installed package, not the checkout.
    resolved: fileURLToPath(import.meta.resolve('zkinfer')),
    modelId: prover.modelId,
    class: proof.output.class,
    verified,
  }),
);
prover.close();
