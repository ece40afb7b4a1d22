/*
 * Golden runs store their event counters (the golden table's `counters` column), on real
 * campaigns: the stored counters are the golden run's; a database from before the column opens
 * (it is added, empty), resumes, merges, and its report says "not recorded"; a corrupt value is
 * one line and exit 2 from `bulkhead report`, and does not stop a resume or a merge, which do
 * not need the counters.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkhead } from "../support/cli.js";
import { mergeStores } from "../../campaigns/merge.js";
import { runCampaign } from "../../campaigns/runner.js";
import { parseCounters, Store } from "../../campaigns/store.js";
import type { CampaignSpec } from "../../campaigns/types.js";


const SPEC: CampaignSpec = {
  name: "tiny", description: "", seed: 5, builds: ["minix3", "monolithic"], workloads: ["blocks"], driver: "at_wini",
  driverParams: "dma=1", heartbeatTicks: 33, rounds: 1, faults: [{ type: "NOP", count: 2, trigger: { kind: "first" }, persistence: "transient" }],
  limits: { budgetCycles: 400_000_000, watchdogCycles: 100_000_000 },
};


function open(path: string, create = false): Store {
  const o = Store.open(path, { create });
  if (!o.ok) throw new Error(o.error);
  return o.store;
}

/** Runs SPEC into `path` (all of it, or a shard / the first experiments). */
async function campaign(path: string, opts: { shard?: { index: number; count: number }; maxExperiments?: number } = {}): Promise<void> {
  const s = open(path, true);
  const i = s.init(SPEC, "name: tiny\n");
  if (!i.ok) throw new Error(i.error);
  await runCampaign(SPEC, s, { workers: 1, ...opts });
  s.close();
}

/** Makes `path` a database from before the counters column: the golden table without it. */
function dropCountersColumn(path: string): void {
  const db = new Database(path);
  db.exec("ALTER TABLE golden DROP COLUMN counters");
  db.close();
}

const columns = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  const cols = db.prepare<[], string>("SELECT name FROM pragma_table_info('golden')").pluck().all();
  db.close();
  return cols;
};

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-golden-counters-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("golden runs' counters in the store", () => {
  it("are stored with each golden run: the run's counters, to its completion", async () => {
    const path = join(dir, "full.db");
    await campaign(path);
    const s = open(path);
    const goldens = s.goldens();
    s.close();
    expect(goldens.map((g) => g.build)).toEqual(["minix3", "monolithic"]);
    for (const g of goldens) {
      expect(g.counters).toBeDefined();
      expect(g.counters!.cycles).toBeGreaterThan(0);
      expect(g.counters!.cycles).toBeLessThanOrEqual(g.cycles); // to the completion; the golden run's cycles run to where the monitors stopped
      expect(g.counters!.busyCycles).toBeLessThanOrEqual(g.counters!.cycles);
      expect(g.counters!.kernelCalls).toBeGreaterThan(0);
    }
  });

  it("a database from before the column: opens with it added empty, resumes, and its report says not recorded", async () => {
    const path = join(dir, "old.db");
    await campaign(path, { maxExperiments: 1 });
    dropCountersColumn(path);
    expect(columns(path)).not.toContain("counters");
    const s = open(path);
    expect(columns(path)).toContain("counters");
    expect(s.goldens().map((g) => g.counters)).toEqual([undefined, undefined]);
    expect(s.countersProblem()).toBeUndefined();
    const summary = await runCampaign(SPEC, s, { workers: 1 }); // resume: the stored golden runs are used as they are
    expect(summary.resumed).toBe(1);
    expect(summary.ran + summary.resumed).toBe(summary.total);
    expect(s.goldens().every((g) => g.counters === undefined)).toBe(true);
    s.close();
    const out = join(dir, "old-report");
    const r = bulkhead(["report", path, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("Counters not recorded for minix3, monolithic");
  });

  it("merge keeps the counters of shards, and merges old databases without them", async () => {
    const [a, b] = [join(dir, "s0.db"), join(dir, "s1.db")];
    await campaign(a, { shard: { index: 0, count: 2 } });
    await campaign(b, { shard: { index: 1, count: 2 } });
    const sa = open(a);
    const expected = sa.goldens();
    sa.close();
    const merged = join(dir, "merged.db");
    const m = mergeStores([a, b], merged);
    expect(m.ok).toBe(true);
    const sm = open(merged);
    expect(sm.goldens()).toEqual(expected);
    sm.close();
    for (const p of [a, b]) dropCountersColumn(p);
    const mergedOld = join(dir, "merged-old.db");
    const m2 = mergeStores([a, b], mergedOld);
    expect(m2.ok).toBe(true);
    const so = open(mergedOld);
    expect(so.goldens().map((g) => [g.build, g.counters])).toEqual([["minix3", undefined], ["monolithic", undefined]]);
    expect(so.count()).toBe(4);
    so.close();
  });

  it("a corrupt value: report is one line and exit 2; resuming and merging, which do not need counters, still work", async () => {
    const path = join(dir, "corrupt.db");
    await campaign(path, { maxExperiments: 1 });
    const db = new Database(path);
    db.prepare("UPDATE golden SET counters = ? WHERE build = 'monolithic'").run('{"cycles": 12, "busyCycles": "many"');
    db.close();
    const r = bulkhead(["report", path, "--out", join(dir, "corrupt-report")]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trimEnd().split("\n")).toEqual([`bulkhead: cannot read ${path}: the golden run of monolithic × blocks: counters are not JSON ({"cycles": 12, "busyCycles"...)`]);
    expect(r.code).toBe(2);
    const s = open(path);
    expect(s.getGolden("monolithic", "blocks")?.counters).toBeUndefined();
    expect(s.getGolden("minix3", "blocks")?.counters).toBeDefined();
    const summary = await runCampaign(SPEC, s, { workers: 1 });
    expect(summary.ran + summary.resumed).toBe(summary.total);
    s.close();
    expect(mergeStores([path], join(dir, "corrupt-merged.db")).ok).toBe(true);
  });
});

describe("parseCounters", () => {
  it("accepts the empty text (not recorded) and counters; names what is wrong with anything else", () => {
    expect(parseCounters("")).toEqual({ ok: true });
    expect(parseCounters(null)).toEqual({ ok: true });
    const good = { cycles: 10, busyCycles: 4, instructions: 3, charged: { ipcOp: 120 } };
    expect(parseCounters(JSON.stringify(good))).toEqual({ ok: true, counters: good });
    const bad: Array<[unknown, RegExp]> = [
      ["nope", /not JSON/], ["[1]", /not a JSON object/], ['{"busyCycles": 1, "charged": {}}', /lack cycles/],
      ['{"cycles": 1, "busyCycles": 1}', /lack charged/], ['{"cycles": 1, "busyCycles": 1, "charged": {"ipcOp": "x"}}', /charged.ipcOp is not a number/],
      ['{"cycles": 1, "busyCycles": null, "charged": {}}', /busyCycles is not a number/], [42, /not JSON text/],
    ];
    for (const [text, why] of bad) {
      const r = parseCounters(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(why);
    }
  });
});
