// A TypeScript consumer: type-checks against the package's declarations (never run).

import { createProver, verify, ZkinferError, type AbortSignalLike, type Phase, type Proof, type Verified } from 'zkinfer';

// An AbortController's signal, without DOM or Node types in this project.
declare const signal: AbortSignalLike;
const prover = await createProver({ model: '{}', worker: true });
export const mode: 'worker' | 'thread' = prover.mode;
const features: string[] = prover.features;
const proof: Proof = await prover.prove(new Float64Array(features.length), {
  disclose: 'at-least',
  threshold: '0.5',
  context: new Uint8Array([1, 2]),
  profile: 'high',
  onProgress: ({ phase, fraction }) => [phase satisfies Phase, fraction.toFixed(2)],
  signal,
});
const verified: Verified = await verify(prover, proof.envelope, { context: 'nonce' });
export const ok: true = verified.ok;
export const holds: boolean | undefined =
  proof.output.kind === 'atLeast' ? proof.output.holds : undefined;
try {
  // @ts-expect-error: profiles are 'default' and 'high'.
  await prover.prove([1], { profile: 'low' });
} catch (e) {
  if (e instanceof ZkinferError && e.code === 'ABORTED') throw new Error(e.code satisfies string);
}
prover.close();
