/*
 * The cost of isolation on real fault-free runs of the files workload (campaigns/overhead.ts runs
 * them, reports/overhead.ts compares them): a build against itself costs nothing; a build whose
 * kernel call costs 150 cycles more pays exactly 150 × its kernel calls for them, and the
 * breakdown accounts for every other cycle of the difference; halving and doubling a constant
 * moves the overhead the way the counts say it must; and the report's "Cost of isolation"
 * numbers are the golden runs' counters, which are those of the same fault-free run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSmallCampaign } from "../support/campaign.js";
import { runOverhead, type BuildCounters, type OverheadRuns } from "../../campaigns/overhead.js";
import { Store } from "../../campaigns/store.js";
import { isolationTable, loadReport, type ReportData } from "../../reports/data.js";
import { breakdownCsv, overheadCsv, overheadLatex } from "../../reports/export/overhead.js";
import { parseCsv } from "../../reports/export/csv.js";
import { compareOverhead, sensitivity, thousands, type OverheadComparison } from "../../reports/overhead.js";
import { renderOverhead, renderReport } from "../../reports/render.js";
import { BUILDS, composeSystem, getWorkload, runWorkload, type Build, type RunCounters } from "../../system/index.js";
import { throughputOf, type ThroughputState } from "../../system/workloads/throughput.js";

const files = (() => {
  const w = getWorkload("files");
  if (!w.ok) throw new Error(w.error);
  return w.workload;
})();

function run(builds: Build[], sensitivity?: { constants: string[] }): OverheadRuns {
  const r = runOverhead({ builds, workload: files, ...(sensitivity ? { sensitivity } : {}) });
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

const byBuild = (runs: BuildCounters[], name: string): RunCounters => runs.find((r) => r.build === name)!.counters;
const charged = (c: RunCounters, name: string): number => (c.charged as Record<string, number>)[name];

/** Every item of every breakdown sums to its difference: the busy items to the busy one, all to the total. */
function expectAccounted(cmp: OverheadComparison): void {
  for (const b of cmp.breakdowns) {
    const row = cmp.rows.find((r) => r.build === b.build)!.counters;
    const ref = cmp.rows.find((r) => r.build === cmp.reference)!.counters;
    expect(b.busyDelta).toBe(row.busyCycles - ref.busyCycles);
    expect(b.totalDelta).toBe(row.cycles - ref.cycles);
    expect(b.items.filter((i) => i.kind !== "idle").reduce((t, i) => t + i.cycles, 0)).toBe(b.busyDelta);
    expect(b.items.reduce((t, i) => t + i.cycles, 0)).toBe(b.totalDelta);
  }
}

describe("overhead of real runs", () => {
  it("a build against itself: identical counters, overhead 0, every breakdown item 0", () => {
    const again: Build = { ...BUILDS.minix3, name: "minix3-again" };
    const r = run([BUILDS.minix3, again]);
    expect(r.runs[1].counters).toEqual(r.runs[0].counters);
    expect(r.runs[0].counters.busyCycles).toBeGreaterThan(0);
    const cmp = compareOverhead(r.runs);
    expect(cmp.reference).toBe("minix3");
    for (const row of cmp.rows) expect([row.busyOverhead, row.totalOverhead]).toEqual([0, 0]);
    expect(cmp.breakdowns).toHaveLength(1);
    for (const item of cmp.breakdowns[0].items) expect(item.cycles).toBe(0);
    // The throughput is the planned bytes, written and read back, per emulated second.
    const tp = r.runs[0].throughput.find((t) => t.label === "written + read");
    expect(tp?.unit).toBe("B/s");
    expect(tp!.value).toBeGreaterThan(0);
  });

  it("kernelCall 150 cycles dearer: the kernel-call item is exactly 150 × kernel calls, the rest is the longer run's extra clock ticks", () => {
    const base = BUILDS.minix3;
    const t: Build = { ...base, name: "t", costs: { ...base.costs, kernelCall: base.costs.kernelCall + 150 } };
    const r = run([base, t]);
    const a = byBuild(r.runs, "minix3");
    const b = byBuild(r.runs, "t");
    expect(b.kernelCalls).toBe(a.kernelCalls); // the same work...
    expect(a.kernelCalls).toBeGreaterThan(1000);
    const cmp = compareOverhead(r.runs);
    expect(cmp.reference).toBe("minix3");
    expectAccounted(cmp);
    const items = cmp.breakdowns[0].items;
    const item = (name: string): number => items.find((i) => i.item === name)?.cycles ?? 0;
    expect(item("kernel: kernelCall")).toBe(150 * a.kernelCalls); // ...each kernel call 150 cycles dearer
    // Not exactly 150 × kernel calls in all: the run lasts longer, so the clock ticks more often
    // during it, and each tick is an interrupt with its kernel entry and handler runs. Those are
    // the only other differences, and the counts say so.
    const rest = b.busyCycles - a.busyCycles - 150 * a.kernelCalls;
    expect(b.interrupts - a.interrupts).toBeGreaterThanOrEqual(rest > 0 ? 1 : 0);
    expect(item("kernel: interrupt")).toBe((b.interrupts - a.interrupts) * base.costs.interrupt);
    expect(item("kernel: kernelEntry")).toBe((b.traps - a.traps) * base.costs.kernelEntry);
    // The guest did the same work: the machine's own cycles (instructions and the rest) add up to
    // no difference — one more wake-up of the idle loop retires its WFI in idle time, not busy time.
    expect(item("instructions") + item("other machine cycles")).toBe(0);
    expect(items.filter((i) => i.kind === "charged").reduce((s, i) => s + i.cycles, 0)).toBe(b.busyCycles - a.busyCycles);
    expect(cmp.rows[1].busyOverhead).toBeGreaterThan(0);
  });

  it("halving kernelAssert lowers minix3's overhead over minix3-nochecks, doubling raises it; a build that never charged it is not rerun", () => {
    const builds = [BUILDS.minix3, BUILDS["minix3-nochecks"]];
    const r = run(builds, { constants: ["kernelAssert", "sanitySlot"] });
    const cmp = compareOverhead(r.runs);
    expect(cmp.reference).toBe("minix3-nochecks"); // the asserts are all that differs
    expect(charged(byBuild(r.runs, "minix3"), "kernelAssert")).toBeGreaterThan(0);
    expectAccounted(cmp);
    expect(r.uncharged).toEqual(["sanitySlot"]);
    expect(r.runCount).toBe(2 + 2); // the baseline, then minix3 with kernelAssert ×½ and ×2
    const models = Object.fromEntries(builds.map((b) => [b.name, b.costs as unknown as Record<string, number>]));
    const [row] = sensitivity(cmp, r.cases!, models);
    expect(row.constant).toBe("kernelAssert");
    const at = (f: number): number => row.scaled.find((s) => s.factor === f)!.overheads.minix3.busy;
    expect(at(0.5)).toBeLessThan(row.base.minix3.busy);
    expect(at(2)).toBeGreaterThan(row.base.minix3.busy);
    expect(row.moves).toBeCloseTo(Math.max(row.base.minix3.busy - at(0.5), at(2) - row.base.minix3.busy), 12);
    expect(row.reorders).toBe(false);
    // The unscaled build's run in each case is its baseline run.
    for (const c of r.cases!) expect(byBuild(c.runs, "minix3-nochecks")).toEqual(byBuild(r.runs, "minix3-nochecks"));
  });

  it("halving monolithic's functionCall makes it faster, so minix3's overhead over it grows; doubling shrinks it", () => {
    const builds = [BUILDS.minix3, BUILDS.monolithic];
    const r = run(builds, { constants: ["functionCall"] });
    const cmp = compareOverhead(r.runs);
    expect(cmp.reference).toBe("monolithic");
    expect(charged(byBuild(r.runs, "minix3"), "functionCall")).toBe(0); // a user-mode driver traps
    expect(r.runCount).toBe(2 + 2);
    const [row] = sensitivity(cmp, r.cases!, Object.fromEntries(builds.map((b) => [b.name, b.costs as unknown as Record<string, number>])));
    const at = (f: number): number => row.scaled.find((s) => s.factor === f)!.overheads.minix3.busy;
    expect(at(0.5)).toBeGreaterThan(row.base.minix3.busy);
    expect(at(2)).toBeLessThan(row.base.minix3.busy);
    expect(row.values).toEqual({ minix3: BUILDS.minix3.costs.functionCall, monolithic: BUILDS.monolithic.costs.functionCall });
  });

  it("CSV, LaTeX and the HTML page carry the comparison's numbers", () => {
    const r = run([BUILDS.minix3, BUILDS["minix3-nochecks"]]);
    const cmp = compareOverhead(r.runs);
    const rows = parseCsv(overheadCsv(cmp, r.workload, r.params));
    const col = (name: string): number => rows[0].indexOf(name);
    expect(rows).toHaveLength(3);
    for (const [i, run] of r.runs.entries()) {
      expect(rows[i + 1][col("build")]).toBe(run.build);
      expect(Number(rows[i + 1][col("busyCycles")])).toBe(run.counters.busyCycles);
      expect(Number(rows[i + 1][col("kernelCalls")])).toBe(run.counters.kernelCalls);
      expect(Number(rows[i + 1][col("charged.kernelAssert")])).toBe(charged(run.counters, "kernelAssert"));
    }
    const bd = parseCsv(breakdownCsv(cmp));
    expect(bd.slice(1).filter((x) => x[3] !== "idle").reduce((t, x) => t + Number(x[4]), 0)).toBe(cmp.breakdowns[0].busyDelta);
    expect(overheadLatex(cmp, "files")).toContain("\\toprule");
    const page = renderOverhead({ workload: r.workload, params: r.params, comparison: cmp, command: "bulkhead overhead", clockHz: 100e6 });
    expect(page.html).toContain("Cost of isolation");
    expect(page.html).toContain(thousands(r.runs[0].counters.busyCycles));
    expect(page.figures.map((f) => f.file)).toEqual(["isolation-files.svg", "isolation-files.pdf"]);
  });
});

describe("the throughput workload", () => {
  it("per transfer size, each phase's bytes per second as the workload's throughputOf measures them, and their charts", () => {
    const w = getWorkload("throughput");
    if (!w.ok) throw new Error(w.error);
    const params = "sizes=1024,4096 total=16384";
    const r = runOverhead({ builds: [BUILDS.minix3, BUILDS.monolithic], workload: w.workload, params });
    if (!r.ok) throw new Error(r.error);
    const composed = composeSystem(BUILDS.minix3, w.workload, { params: r.result.params });
    if (!composed.ok) throw new Error(composed.error);
    runWorkload(composed.system, w.workload, composed.params);
    const sizes = throughputOf(composed.system.nativeState<ThroughputState>("throughput")!);
    expect(sizes.map((x) => x.size)).toEqual([1024, 4096]);
    const mine = r.result.runs.find((x) => x.build === "minix3")!.throughput;
    expect(mine).toEqual(sizes.flatMap((x) => [
      { label: `write ${x.size / 1024} KiB`, unit: "B/s", value: x.writeBytesPerSec, series: "write", category: `${x.size / 1024} KiB` },
      { label: `read ${x.size / 1024} KiB`, unit: "B/s", value: x.readBytesPerSec, series: "read", category: `${x.size / 1024} KiB` },
    ]));
    const page = renderOverhead({ workload: "throughput", params: r.result.params, comparison: compareOverhead(r.result.runs), command: "bulkhead overhead", clockHz: 100e6 });
    expect(page.figures.map((f) => f.file).filter((f) => f.endsWith(".svg"))).toEqual(["isolation-throughput.svg", "throughput-throughput-write.svg", "throughput-throughput-read.svg"]);
  });
});

describe("the report's Cost of isolation: the golden runs' counters", () => {
  let dir = "";
  let data: ReportData;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bulkhead-isolation-"));
    const db = join(dir, "smoke.db");
    await runSmallCampaign(db);
    const o = Store.open(db, { create: false });
    if (!o.ok) throw new Error(o.error);
    data = loadReport(o.store);
    o.store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("compares exactly the stored counters, and they are the fault-free run's", () => {
    const [iso] = isolationTable(data);
    expect(iso.workload).toBe("files");
    expect(iso.notRecorded).toEqual([]);
    const cmp = iso.comparison!;
    expect(cmp.rows.map((r) => r.build)).toEqual(data.spec.builds);
    for (const row of cmp.rows) expect(row.counters).toEqual(data.goldens.find((g) => g.build === row.build)!.counters);
    expectAccounted(cmp);
    // The golden run is a fault-free run of the same configuration (smoke: seed 1, the default heartbeat and driver parameters).
    const fresh = run(data.spec.builds.map((b) => BUILDS[b]));
    for (const row of cmp.rows) expect(row.counters).toEqual(byBuild(fresh.runs, row.build));
    const html = renderReport(data).html;
    expect(html).toContain('id="isolation"');
    for (const row of cmp.rows) expect(html).toContain(`<td>${thousands(row.counters.busyCycles)}</td>`);
  });

  it("one build: its counters alone, no breakdown", () => {
    const one: ReportData = { ...data, spec: { ...data.spec, builds: ["minix3"] }, goldens: data.goldens.filter((g) => g.build === "minix3"), results: data.results.filter((r) => r.build === "minix3") };
    const [iso] = isolationTable(one);
    expect(iso.comparison?.rows.map((r) => r.build)).toEqual(["minix3"]);
    expect(iso.comparison?.breakdowns).toEqual([]);
    expect(renderReport(one).html).not.toContain("Where the difference from");
  });

  it("golden runs without counters: 'not recorded', and the report still renders", () => {
    const old: ReportData = { ...data, goldens: data.goldens.map(({ counters: _c, ...g }) => g) };
    const [iso] = isolationTable(old);
    expect(iso.comparison).toBeUndefined();
    expect(iso.notRecorded).toEqual(data.spec.builds);
    const html = renderReport(old).html;
    expect(html).toContain(`Counters not recorded for ${data.spec.builds.join(", ")}`);
    const mixed: ReportData = { ...data, goldens: data.goldens.map((g) => (g.build === "monolithic" ? { ...g, counters: undefined } : g)) };
    const [m] = isolationTable(mixed);
    expect(m.comparison?.rows.map((r) => r.build)).toEqual(["minix3"]);
    expect(m.notRecorded).toEqual(["monolithic"]);
  });
});
