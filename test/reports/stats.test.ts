/*
 * The report statistics against published values and independently computed references.
 * References (written down here, not computed by the code under test):
 *  - normal quantiles: scipy.stats.norm.ppf (SciPy 1.17), e.g. ppf(0.975) = 1.959963984540054;
 *  - Wilson intervals: Newcombe, "Two-sided confidence intervals for the single proportion",
 *    Stat Med 17:857-872 (1998), Table I, method 3 (81/263, 15/148, 0/20, 1/29, to 4 decimals),
 *    and scipy.stats.binomtest(x, n).proportion_ci(method="wilson") for full precision;
 *  - exact McNemar p-values: scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue;
 *  - difference of independent rates: Newcombe, "Interval estimation for the difference between
 *    independent proportions", Stat Med 17:873-890 (1998), Table II, method 10
 *    (56/70 − 48/80: 0.0524 to 0.3339; 9/10 − 3/10: 0.1705 to 0.8090);
 *  - difference of paired rates (Newcombe, Stat Med 17:2635-2650 (1998), method 10): the table
 *    59, 6 / 16, 80 (Cavo et al. 2012) of Fagerland, Lydersen & Laake, "Statistical Analysis of
 *    Contingency Tables" (2017), ch. 8, as in the R package contingencytables' tests: estimate
 *    −0.0621, 95% CI −0.1186 to −0.0046;
 *  - sample sizes: Leveugle et al., DATE 2009 (e = 1%, 95%: 9604 unbounded, 8763 for N = 10^5).
 */
import { describe, expect, it } from "vitest";
import { diffCI, mcnemarExact, normalQuantile, sampleSize, wilson, zOf } from "../../reports/stats.js";

describe("normalQuantile (AS241)", () => {
  it("matches reference quantiles", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.9599639845400545, 14);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.2815515655446004, 14);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 13);
  });

  it("is accurate in the tails and symmetric", () => {
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalQuantile(1e-300)).toBeCloseTo(-37.0470962993612, 8);
    for (const p of [2 ** -30, 0.001, 0.07, 0.3]) expect(normalQuantile(1 - p) + normalQuantile(p)).toBeCloseTo(0, 10); // 1 - p exact
  });

  it("gives ±Infinity at 0 and 1 and NaN outside", () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });

  it("zOf turns a confidence level into a two-sided z", () => {
    expect(zOf(0.95)).toBeCloseTo(1.959963984540054, 14);
    expect(zOf(0.99)).toBeCloseTo(2.5758293035489004, 13);
  });
});

describe("wilson", () => {
  it("reproduces Newcombe (1998) Table I, method 3", () => {
    const cases: Array<[number, number, number, number]> = [[81, 263, 0.2553, 0.3662], [15, 148, 0.0624, 0.1605], [0, 20, 0, 0.1611], [1, 29, 0.0061, 0.1718]];
    for (const [x, n, lo, hi] of cases) {
      const w = wilson(x, n);
      expect(w.p).toBeCloseTo(x / n, 12);
      expect(w.lo).toBeCloseTo(lo, 4);
      expect(w.hi).toBeCloseTo(hi, 4);
    }
  });

  it("matches scipy's Wilson intervals to full precision", () => {
    const cases: Array<[number, number, number, number]> = [
      [0, 10, 0, 0.27753279986288926], [5, 10, 0.236593090512564, 0.7634069094874361],
      [81, 263, 0.2552885198782742, 0.36620957698280004], [10, 10, 0.7224672001371109, 1],
    ];
    for (const [x, n, lo, hi] of cases) {
      const w = wilson(x, n);
      expect(w.lo).toBeCloseTo(lo, 12);
      expect(w.hi).toBeCloseTo(hi, 12);
    }
  });

  it("n = 0 has no estimate and the whole range", () => {
    const w = wilson(0, 0);
    expect(w.p).toBeNaN();
    expect([w.lo, w.hi]).toEqual([0, 1]);
  });

  it("widens with the confidence level", () => {
    const a = wilson(5, 10, 0.9), b = wilson(5, 10, 0.99);
    expect(a.hi - a.lo).toBeLessThan(b.hi - b.lo);
  });
});

describe("mcnemarExact", () => {
  it("matches exact binomial p-values", () => {
    expect(mcnemarExact(10, 2).p).toBeCloseTo(0.03857421875, 12);
    expect(mcnemarExact(0, 7).p).toBeCloseTo(0.015625, 12);
    expect(mcnemarExact(3, 20).p).toBeCloseTo(0.00048828125, 12);
    expect(mcnemarExact(5, 5).p).toBe(1);
  });

  it("is 1 without discordant pairs and symmetric in b and c", () => {
    expect(mcnemarExact(0, 0)).toEqual({ b: 0, c: 0, p: 1 });
    expect(mcnemarExact(2, 10).p).toBe(mcnemarExact(10, 2).p);
    expect(mcnemarExact(2, 10)).toMatchObject({ b: 2, c: 10 });
  });

  it("stays accurate for large counts", () => {
    expect(mcnemarExact(1000, 1100).p).toBeCloseTo(0.03072070786424249, 10);
    expect(mcnemarExact(100000, 101000).p / 0.02586239243973295).toBeCloseTo(1, 8);
    expect(mcnemarExact(0, 5000).p).toBeGreaterThanOrEqual(0); // underflows to 0, never NaN
  });
});

describe("diffCI", () => {
  it("reproduces Newcombe's method 10 for independent proportions", () => {
    const a = diffCI({ x: 56, n: 70 }, { x: 48, n: 80 });
    expect(a.d).toBeCloseTo(0.2, 12);
    expect(a.lo).toBeCloseTo(0.0524, 4);
    expect(a.hi).toBeCloseTo(0.3339, 4);
    expect(a.method).toBe("newcombe-hybrid-score");
    const b = diffCI({ x: 9, n: 10 }, { x: 3, n: 10 });
    expect(b.lo).toBeCloseTo(0.1705, 4);
    expect(b.hi).toBeCloseTo(0.809, 4);
  });

  it("reproduces Newcombe's method 10 for paired proportions (Cavo et al. table)", () => {
    // a = 59 (both), b = 6 (first only), c = 16 (second only), d = 80; n = 161.
    const r = diffCI({ x: 65, n: 161 }, { x: 75, n: 161 }, { b: 6, c: 16, n: 161 });
    expect(r.method).toBe("newcombe-paired-square-and-add");
    expect(r.d).toBeCloseTo(-0.0621, 4);
    expect(r.lo).toBeCloseTo(-0.1186, 4);
    expect(r.hi).toBeCloseTo(-0.0046, 4);
  });

  it("pairing narrows the interval when the builds agree on most faults", () => {
    const un = diffCI({ x: 65, n: 161 }, { x: 75, n: 161 });
    const pa = diffCI({ x: 65, n: 161 }, { x: 75, n: 161 }, { b: 6, c: 16, n: 161 });
    expect(pa.hi - pa.lo).toBeLessThan(un.hi - un.lo);
  });

  it("handles empty and degenerate tables", () => {
    expect(diffCI({ x: 0, n: 0 }, { x: 0, n: 0 }).d).toBeNaN();
    const same = diffCI({ x: 0, n: 20 }, { x: 0, n: 20 }, { b: 0, c: 0, n: 20 });
    expect(same.d).toBe(0);
    expect(same.lo).toBeLessThanOrEqual(0);
    expect(same.hi).toBeGreaterThanOrEqual(0);
    const all = diffCI({ x: 20, n: 20 }, { x: 0, n: 20 }, { b: 20, c: 0, n: 20 });
    expect(all.hi).toBeLessThanOrEqual(1);
    expect(all.lo).toBeGreaterThan(0.5);
  });
});

describe("sampleSize (Leveugle et al., DATE 2009)", () => {
  it("gives the paper's numbers", () => {
    expect(sampleSize({ margin: 0.01, confidence: 0.95 })).toBe(9604);
    expect(sampleSize({ margin: 0.01, confidence: 0.95, population: 100_000 })).toBe(8763);
    expect(sampleSize({ margin: 0.05, confidence: 0.95 })).toBe(385);
  });

  it("needs fewer experiments for extreme p, and never more than the population", () => {
    expect(sampleSize({ margin: 0.01, confidence: 0.95, p: 0.1 })).toBe(3458); // 1.959964² · 0.09 / 0.0001 = 3457.3
    expect(sampleSize({ margin: 0.01, confidence: 0.95, population: 50 })).toBeLessThanOrEqual(50);
    expect(sampleSize({ margin: 0.01, confidence: 0.95, population: 1 })).toBe(1);
  });
});
