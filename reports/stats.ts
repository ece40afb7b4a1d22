/*
 * The statistics of a campaign report, as pure functions over counts: the normal quantile
 * (Wichura's AS241), the Wilson score interval for one rate, the exact McNemar test for paired
 * outcomes, Newcombe's square-and-add intervals for a difference of two rates (independent or
 * paired), and the number of experiments a campaign needs for a given margin (Leveugle et al.,
 * DATE 2009). No tables: every constant below is a coefficient of a published approximation.
 */

/** A rate with its confidence interval (all in [0, 1]; p is NaN when n = 0). */
export interface Interval {
  p: number;
  lo: number;
  hi: number;
}

/** A difference of two rates (A − B) with its confidence interval, and the method used. */
export interface DiffInterval {
  d: number;
  lo: number;
  hi: number;
  method: "newcombe-hybrid-score" | "newcombe-paired-square-and-add";
}

export interface McNemar {
  b: number;
  c: number;
  p: number;
}

/** Horner's rule: c[0] + c[1] x + ... (coefficients lowest degree first). */
function poly(c: readonly number[], x: number): number {
  let v = 0;
  for (let i = c.length - 1; i >= 0; i--) v = v * x + c[i];
  return v;
}

// Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied
// Statistics 37(3), 1988, pp. 477-484 (PPND16, about 16 significant digits).
const AS241 = {
  a: [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
    45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727],
  b: [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
    39307.89580009271061, 28729.085735721942674, 5226.495278852854561],
  c: [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
    1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4],
  d: [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
    0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9],
  e: [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
    0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7],
  f: [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
    7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15],
} as const;

/**
 * The standard normal quantile Φ⁻¹(p) (AS241; relative error about 1e-16). p = 0 → −∞,
 * p = 1 → +∞, p outside [0, 1] or NaN → NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241.a, r)) / poly(AS241.b, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x = r <= 5 ? poly(AS241.c, (r -= 1.6)) / poly(AS241.d, r) : poly(AS241.e, (r -= 5)) / poly(AS241.f, r);
  return q < 0 ? -x : x;
}

/** z of a two-sided interval at `confidence` (0.95 → 1.959963984540054). */
export const zOf = (confidence: number): number => normalQuantile(1 - (1 - confidence) / 2);

/**
 * Wilson score interval (Wilson 1927; Newcombe 1998 method 3) for `successes` out of `n` at
 * `confidence`. n = 0 → { p: NaN, lo: 0, hi: 1 }. Assumes 0 ≤ successes ≤ n.
 */
export function wilson(successes: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { p: NaN, lo: 0, hi: 1 };
  const z = zOf(confidence);
  const p = successes / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z / den) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The bounds are exactly 0 and 1 at x = 0 and x = n; rounding must not move them.
  return { p, lo: successes === 0 ? 0 : Math.max(0, centre - half), hi: successes === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Two-sided exact McNemar test on the discordant counts b and c: under H0 the b + c discordant
 * pairs split as Binomial(b + c, 1/2), and p = min(1, 2 · P[X ≤ min(b, c)]). The terms are
 * summed in log space relative to the largest, so millions of pairs neither underflow nor lose
 * precision. b = c = 0 → p = 1.
 */
export function mcnemarExact(b: number, c: number): McNemar {
  const n = b + c;
  const m = Math.min(b, c);
  // log of C(n, k) / 2^n for k = 0..m, by the ratio C(n, k+1) / C(n, k) = (n - k) / (k + 1).
  const logs: number[] = [-n * Math.LN2];
  for (let k = 0; k < m; k++) logs.push(logs[k] + Math.log(n - k) - Math.log(k + 1));
  const top = logs[m]; // the terms increase up to k = n/2 ≥ m
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  const p = Math.min(1, 2 * Math.exp(top + Math.log(sum)));
  return { b, c, p };
}

/**
 * The difference of two rates, A − B, with a confidence interval. Without `paired`: Newcombe's
 * hybrid score interval for independent samples (Newcombe 1998, Stat Med 17:873, method 10).
 * With `paired` (b = pairs where only A succeeded, c = only B, n = pairs; pA.x and pB.x count
 * the successes of each build on the same n faults): Newcombe's square-and-add interval for
 * paired data (Newcombe 1998, Stat Med 17:2635, method 10), Wilson intervals for both marginal
 * rates combined with the phi correlation of the 2×2 table, phi corrected for continuity as in
 * the paper (ad − bc > n/2 → ad − bc − n/2; between 0 and n/2 → 0). Bounds clipped to [−1, 1].
 * Any n = 0 → { d: NaN, lo: −1, hi: 1 }.
 */
export function diffCI(pA: { x: number; n: number }, pB: { x: number; n: number }, paired?: { b: number; c: number; n: number }, confidence = 0.95): DiffInterval {
  const method = paired ? "newcombe-paired-square-and-add" : "newcombe-hybrid-score";
  if (pA.n === 0 || pB.n === 0 || (paired && paired.n === 0)) return { d: NaN, lo: -1, hi: 1, method };
  const A = wilson(pA.x, pA.n, confidence);
  const B = wilson(pB.x, pB.n, confidence);
  const d = A.p - B.p;
  const phi = paired ? pairedPhi(pA.x, pB.x, paired) : 0;
  const dl1 = A.p - A.lo, du1 = A.hi - A.p, dl2 = B.p - B.lo, du2 = B.hi - B.p;
  const lo = d - Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
  const hi = d + Math.sqrt(Math.max(0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2));
  return { d, lo: Math.max(-1, lo), hi: Math.min(1, hi), method };
}

/**
 * The continuity-corrected phi coefficient of the paired 2×2 table (Newcombe 1998, method 10):
 * a = both succeeded, b = only A, c = only B, d = neither. 0 when a margin is empty.
 */
function pairedPhi(xA: number, xB: number, t: { b: number; c: number; n: number }): number {
  const a = xA - t.b;
  const d = t.n - a - t.b - t.c;
  const margins = (a + t.b) * (t.c + d) * (a + t.c) * (t.b + d);
  if (margins === 0) return 0;
  const cross = a * d - t.b * t.c;
  const corrected = cross > t.n / 2 ? cross - t.n / 2 : cross >= 0 ? 0 : cross;
  return corrected / Math.sqrt(margins);
}

/**
 * Experiments needed to estimate a rate within ±margin at `confidence` (Leveugle, Calvez,
 * Maistri, Vanhauwaert, "Statistical fault injection: quantified error and confidence",
 * DATE 2009): n = N t² p(1−p) / (e² (N − 1) + t² p(1−p)) for a population of N possible faults,
 * n = t² p(1−p) / e² without one; rounded up (never more than N). p = 0.5 is the worst case.
 * Assumes 0 < margin < 1, 0 < confidence < 1, 0 < p < 1, population ≥ 1 (the CLI checks).
 */
export function sampleSize(opts: { margin: number; confidence: number; p?: number; population?: number }): number {
  const { margin: e, confidence, p = 0.5, population: N } = opts;
  const t = zOf(confidence);
  const tpq = t * t * p * (1 - p);
  const n = N === undefined ? tpq / (e * e) : (N * tpq) / (e * e * (N - 1) + tpq);
  // Guard against results like 9604.000000000002 from rounding in the quantile.
  const up = Math.ceil(n - 1e-9);
  return N === undefined ? up : Math.min(N, up);
}
