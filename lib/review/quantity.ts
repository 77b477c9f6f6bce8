/** Kubernetes resource quantities (`5Gi`, `500M`, `1.5Ti`) as bytes, for comparing claim sizes. */
const SUFFIXES: Record<string, number> = {
  '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Bytes, or undefined when the text is not a quantity this review understands. */
export function parseQuantity(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i|[kKMGTPE])?$/.exec(String(value ?? '').trim());
  return m ? Number(m[1]) * SUFFIXES[m[2] ?? ''] : undefined;
}
