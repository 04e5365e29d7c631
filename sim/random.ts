// Seeded random numbers for the simulator, tests and benchmarks: the same seed
// gives the same day. Integer arithmetic (Math.imul, >>> 0) keeps it exact;
// a float LCG would lose precision past 2^53 and bias results.

/** mulberry32: a small, fast 32-bit generator; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
