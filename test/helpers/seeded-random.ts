// Random tests draw from a seeded generator and log their seed, so that a failing run can be
// replayed with AUDITCAST_SEED=<seed>.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded from AUDITCAST_SEED or at random; the seed is logged under `name`. */
export function seededRandom(name: string): { seed: number; random: () => number } {
  const seed = Number(process.env.AUDITCAST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`${name} seed: AUDITCAST_SEED=${seed}`);
  return { seed, random: rng(seed) };
}
