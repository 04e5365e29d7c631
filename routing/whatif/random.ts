// Seeded draws keyed by name: the same seed and the same caller always draw the same
// number, whatever order the replay reaches them in (so one change does not reshuffle
// every other caller's patience). Integer arithmetic only (Math.imul, >>> 0).

/** A uniform in [0, 1) for (seed, key). */
export function uniformFor(seed: number, key: string): number {
  // FNV-1a over the key, mixed with the seed, then the murmur3 finaliser.
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b9)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 4294967296;
}
