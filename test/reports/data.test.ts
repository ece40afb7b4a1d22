/*
 * Report data, paired comparison and exports on a small real campaign: campaigns/library/
 * smoke.yaml scaled down to 3 faults per model, both builds, run here into a temporary database
 * (the same campaign a second time under a name full of LaTeX specials, `smoke_%&`, to test the
 * escaping and the refusal to pair different campaigns), and a third time, unchanged, on two
 * worker threads: an independent run that determinism checks compare against.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runSmallCampaign, smokeSpec } from "../support/campaign.js";
import { EXPERIMENT_COLUMNS, Store } from "../../campaigns/store.js";
import { OUTCOMES, type CampaignSpec } from "../../campaigns/types.js";
import {
  activationTable, detectionTable, goldenTable, loadReport, notable, outcomeTable, parseDetail, propagationTable, recovery, replayCommand, SEVERE,
  type ReportData,
} from "../../reports/data.js";
import { parseCsv, toCsv } from "../../reports/export/csv.js";
import { latexEscape, outcomeTableLatex } from "../../reports/export/latex.js";
import { comparePaired, comparePairedStores, formatComparisonText, SYSTEM_FAILURE, type Comparison } from "../../reports/pairs.js";
import { mcnemarExact } from "../../reports/stats.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const YAML = readFileSync(join(ROOT, "campaigns/library/smoke.yaml"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "bulkhead-reports-"));

const runInto = (path: string, spec: CampaignSpec, workers = 1): Promise<void> => runSmallCampaign(path, spec, workers);

function load(path: string): ReportData {
  const o = Store.open(path, { create: false });
  if (!o.ok) throw new Error(o.error);
  try {
    return loadReport(o.store);
  } finally {
    o.store.close();
  }
}

function ok<T>(r: ({ ok: true } & T) | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r;
}

const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

let data: ReportData;
let odd: ReportData; // the same campaign named smoke_%&
let second: ReportData; // the same campaign run again, on two worker threads
const spec = smokeSpec();
const perBuild = 5 * 3; // 5 fault models × 3 faults × 1 workload

beforeAll(async () => {
  await runInto(join(dir, "smoke.db"), spec);
  await runInto(join(dir, "odd.db"), { ...spec, name: "smoke_%&" });
  await runInto(join(dir, "second.db"), spec, 2);
  data = load(join(dir, "smoke.db"));
  second = load(join(dir, "second.db"));
  odd = load(join(dir, "odd.db"));
}, 120_000);

describe("loadReport", () => {
  it("reads the spec, builds, goldens, meta and every result", () => {
    expect(data.path).toBe(join(dir, "smoke.db"));
    expect(data.spec).toEqual(spec);
    expect(data.specYaml).toBe(YAML);
    expect(data.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(data.meta.started_at).toBe("2026-01-02T03:04:05.000Z");
    expect(data.meta.name).toBe("smoke");
    expect(data.meta.spec_json).toBeUndefined();
    expect(data.builds.map((b) => b.name).sort()).toEqual(["minix3", "monolithic"]);
    expect(data.builds.every((b) => b.fingerprint.length > 0)).toBe(true);
    expect(data.goldens).toHaveLength(2);
    expect(data.results).toHaveLength(2 * perBuild);
  });
});

describe("tables", () => {
  it("outcome counts per build sum to n, with Wilson intervals around each rate", () => {
    const rows = outcomeTable(data, "build");
    expect(rows.map((r) => r.build)).toEqual(["minix3", "monolithic"]);
    for (const r of rows) {
      expect(r.n).toBe(perBuild);
      expect(sum(OUTCOMES.map((o) => r.counts[o]))).toBe(r.n);
      for (const o of OUTCOMES) {
        expect(r.ci[o].p).toBeCloseTo(r.counts[o] / r.n, 12);
        expect(r.ci[o].lo).toBeLessThanOrEqual(r.ci[o].p);
        expect(r.ci[o].hi).toBeGreaterThanOrEqual(r.ci[o].p);
      }
    }
  });

  it("outcome counts per build × fault type sum to each group's n and to the build's total", () => {
    const rows = outcomeTable(data, "build+faultType");
    expect(rows).toHaveLength(2 * 5);
    for (const r of rows) {
      expect(r.n).toBe(3);
      expect(sum(Object.values(r.counts))).toBe(r.n);
    }
    expect(rows.slice(0, 5).map((r) => r.faultType)).toEqual(spec.faults.map((f) => f.type));
  });

  it("detection, activation and propagation count the right experiments", () => {
    for (const build of spec.builds) {
      const mine = data.results.filter((r) => r.build === build);
      const activated = mine.filter((r) => r.activated);
      const det = detectionTable(data).find((r) => r.build === build)!;
      expect(det.n).toBe(activated.length);
      expect(sum(Object.values(det.counts))).toBe(det.n);
      const act = activationTable(data).filter((r) => r.build === build);
      expect(sum(act.map((r) => r.n))).toBe(mine.length);
      expect(sum(act.map((r) => r.x))).toBe(activated.length);
      const prop = propagationTable(data).filter((r) => r.build === build);
      expect(sum(prop.map((r) => r.n))).toBe(activated.length);
      expect(sum(prop.map((r) => r.x))).toBe(activated.filter((r) => r.propagated).length);
    }
  });

  it("recovery: a restart histogram of the activated experiments and sorted recovery times", () => {
    const rows = recovery(data);
    expect(rows.map((r) => r.build)).toEqual(["minix3", "monolithic"]);
    expect(rows.some((r) => r.recoveryCycles.length > 0)).toBe(true); // minix3 restarted a driver at least once
    for (const row of rows) {
      const activated = data.results.filter((r) => r.build === row.build && r.activated);
      expect(sum(row.restarts.map((h) => h.count))).toBe(activated.length);
      expect(row.recoveryCycles).toEqual([...row.recoveryCycles].sort((a, b) => a - b));
      expect(row.recoveryCycles).toHaveLength(activated.filter((r) => r.recoveryCycles >= 0).length);
    }
  });

  it("golden table: one row per build × workload, overhead relative to the fastest build", () => {
    const rows = goldenTable(data);
    expect(rows).toHaveLength(2);
    expect(Math.min(...rows.map((r) => r.overhead))).toBe(0);
    const fastest = Math.min(...rows.map((r) => r.cycles));
    for (const r of rows) expect(r.overhead).toBeCloseTo(r.cycles / fastest - 1, 12);
  });
});

describe("notable experiments", () => {
  it("lists every severe outcome and a seeded sample of the rest, each with its replay command", () => {
    const list = notable(data, 7, 4);
    const severe = data.results.filter((r) => SEVERE.includes(r.outcome));
    expect(severe.length).toBeGreaterThan(0);
    expect(list.filter((n) => n.why === "severe").map((n) => n.result.id)).toEqual(severe.map((r) => r.id));
    const sample = list.filter((n) => n.why === "sample");
    expect(sample).toHaveLength(4); // more than 4 activated experiments end neither severe nor unactivated
    // Deterministic: the independent two-worker run, at this database's path, gives the same list.
    // Fails if the sample draws on anything but the seed and the results (Math.random, row order
    // as the workers delivered it) or if an experiment's outcome depends on the worker count.
    expect(notable({ ...second, path: data.path }, 7, 4)).toEqual(list);
    for (const n of list) {
      expect(n.replay).toBe(`bulkhead replay ${data.path} ${n.result.id}`);
      expect(n.fault).toBe(n.result.fault);
      expect(n.detail.timeline.map((e) => e.at)).toEqual([...n.detail.timeline.map((e) => e.at)].sort((a, b) => a - b));
    }
  });

  it("parses the stored detail into a timeline", () => {
    const d = parseDetail(JSON.stringify({ panic: "kernel oops", rsEvents: [{ kind: "restart", detail: "at_wini", at: 50, recoveryCycles: 9 }], deaths: [{ kind: "crash", detail: "page fault", at: 20 }], denials: [{ kind: "port", at: 10 }], console: "boot\n" }));
    expect(d.panic).toBe("kernel oops");
    expect(d.console).toBe("boot\n");
    expect(d.timeline.map((e) => e.source)).toEqual(["denial", "death", "rs"]);
    expect(parseDetail("not json")).toMatchObject({ console: "not json", timeline: [] });
  });

  it("quotes database paths for the shell", () => {
    expect(replayCommand("my campaign.db", 3)).toBe("bulkhead replay 'my campaign.db' 3");
  });
});

describe("paired comparison", () => {
  it("pairs the builds of one database by fault: the matrix sums to the pairs, failures agree with the rows", () => {
    const cmp = ok(comparePaired(data, "minix3", "monolithic"));
    expect(cmp.pairs).toBe(perBuild);
    expect(sum(Object.values(cmp.transition).flatMap((row) => Object.values(row)))).toBe(cmp.pairs);
    const fails = (build: string): Set<string> => new Set(data.results.filter((r) => r.build === build && SYSTEM_FAILURE.includes(r.outcome)).map((r) => r.faultKey));
    const fa = fails("minix3"), fb = fails("monolithic");
    expect(cmp.failure.aOnly).toBe([...fa].filter((k) => !fb.has(k)).length);
    expect(cmp.failure.bOnly).toBe([...fb].filter((k) => !fa.has(k)).length);
    expect(cmp.failure.both).toBe([...fa].filter((k) => fb.has(k)).length);
    expect(sum(Object.values(cmp.failure))).toBe(cmp.pairs);
    expect(cmp.mcnemar).toEqual(mcnemarExact(cmp.failure.aOnly, cmp.failure.bOnly));
    expect(cmp.rateA.x).toBe(fa.size);
    expect(cmp.rateB.x).toBe(fb.size);
    for (const a of OUTCOMES) {
      const n = data.results.filter((r) => r.build === "minix3" && r.outcome === a).length;
      expect(sum(Object.values(cmp.transition[a]))).toBe(n);
    }
    const text = formatComparisonText(cmp);
    expect(text).toMatch(/minix3 vs monolithic: 15 faults run on both/);
    expect(text).toMatch(/exact McNemar test, p [=<]/);
    expect(text).toMatch(/\btotal\b/);
  });

  it("refuses unknown or identical builds", () => {
    expect(comparePaired(data, "minix3", "nope")).toMatchObject({ ok: false, error: expect.stringMatching(/no results of build nope/) });
    expect(comparePaired(data, "minix3", "minix3").ok).toBe(false);
  });

  // The second database is an independent run (two workers): fails if outcomes depend on the
  // worker count or if the stores are paired by anything but build and fault.
  it("pairs two databases of one campaign, and refuses two campaigns", () => {
    const cmp: Comparison = ok(comparePairedStores(data, second));
    expect(cmp.pairs).toBe(2 * perBuild);
    expect(cmp.failure.aOnly + cmp.failure.bOnly).toBe(0);
    expect(cmp.mcnemar.p).toBe(1);
    for (const o of OUTCOMES) expect(cmp.transition[o][o]).toBe(data.results.filter((r) => r.outcome === o).length);
    expect(ok(comparePairedStores(data, second, "minix3")).pairs).toBe(perBuild);
    const refused = comparePairedStores(data, odd);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/different campaigns/) });
  });
});

describe("exports", () => {
  it("CSV: a header and one row per experiment, every column, parsing back to the stored values", () => {
    const csv = toCsv(data);
    const records = parseCsv(csv);
    expect(records).toHaveLength(data.results.length + 1);
    expect(records[0]).toEqual(EXPERIMENT_COLUMNS.map(([c]) => c));
    for (const rec of records) expect(rec).toHaveLength(EXPERIMENT_COLUMNS.length);
    const detail = EXPERIMENT_COLUMNS.findIndex(([c]) => c === "detail");
    records.slice(1).forEach((rec, i) => {
      expect(rec[0]).toBe(String(data.results[i].id));
      expect(rec[detail]).toBe(data.results[i].detail); // commas, quotes and newlines survive
    });
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  it("LaTeX: a booktabs table with Wilson intervals, escaping names from the data and the spec", () => {
    const renamed: ReportData = {
      ...odd,
      spec: { ...odd.spec, builds: ["minix3", "mono_lithic"] },
      results: odd.results.map((r) => (r.build === "monolithic" ? { ...r, build: "mono_lithic" } : r)),
    };
    const tex = outcomeTableLatex(renamed, {});
    for (const rule of ["\\toprule", "\\midrule", "\\bottomrule"]) expect(tex).toContain(rule);
    expect(tex).toContain("mono\\_lithic &");
    expect(tex).not.toMatch(/mono_lithic/);
    expect(tex).toMatch(/\\caption\{[^\n]*smoke\\_\\%\\&/);
    expect(tex).toMatch(/\d+\.\d\\% \{\\scriptsize \[\d+\.\d, \d+\.\d\]\}/);
    const byType = outcomeTableLatex(renamed, { by: "build+faultType", caption: "50% of 100_000 & more" });
    expect(byType).toContain("\\caption{50\\% of 100\\_000 \\& more}");
    expect(byType).toContain("BAD\\_POINTER");
    expect(byType).toContain("\\addlinespace\nmono\\_lithic & NOP");
  });

  it("escapes every LaTeX special character", () => {
    expect(latexEscape("a_b%c&d#e$f{g}h~i^j\\k")).toBe("a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textasciitilde{}i\\textasciicircum{}j\\textbackslash{}k");
  });
});
