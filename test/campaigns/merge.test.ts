/*
 * Merging shard databases, on synthetic results (no emulator needed): the shards of a campaign
 * merge into a database equal row for row to the one a single run writes; conflicting
 * duplicates, another spec and a used output are one-line errors that leave no output behind.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeStores } from "../../campaigns/merge.js";
import { inShard, parseShard, type Shard } from "../../campaigns/shard.js";
import { Store } from "../../campaigns/store.js";
import { OUTCOMES, type CampaignSpec, type ExperimentResult, type GoldenRun } from "../../campaigns/types.js";

const SPEC: CampaignSpec = {
  name: "tiny", description: "", seed: 7, builds: ["minix3", "monolithic"], workloads: ["blocks"],
  driver: "at_wini", driverParams: "dma=1", heartbeatTicks: 33, rounds: 1,
  faults: [{ type: "NOP", count: 5, trigger: { kind: "first" }, persistence: "transient" }],
  limits: { budgetCycles: 1000, watchdogCycles: 100 },
};
const N = 10; // 5 faults × 2 builds

function result(id: number): ExperimentResult {
  return {
    id, build: SPEC.builds[id % 2], workload: "blocks", faultType: "NOP", fault: `fault ${id >> 1}`,
    faultJson: `{"n":${id >> 1}}`, faultKey: `blocks/0/0/${id >> 1}`, seed: 1000 + (id >> 1), activated: id % 3 !== 0,
    activationCycle: id % 3 ? 100 * id : -1, outcome: OUTCOMES[id % OUTCOMES.length], detection: "none", restarts: id % 2,
    recoveryCycles: -1, propagated: id === 4, cycles: 1000 * id, end: "completed", verdict: "pass", detail: `d${id}`, stateHash: `h${id}`,
  };
}

const golden = (build: string): GoldenRun => ({ build, workload: "blocks", end: "completed", verdict: "pass", cycles: 500, covered: [1, 2, 3], stateHash: `g-${build}` });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-merge-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store as a run of `shard` (or the whole campaign) would leave it. */
function runStore(name: string, opts: { shard?: Shard; spec?: CampaignSpec; startedAt?: string; tweak?: (r: ExperimentResult) => ExperimentResult } = {}): string {
  const path = join(dir, name);
  const o = Store.open(path, { create: true });
  if (!o.ok) throw new Error(o.error);
  const s = o.store;
  const i = s.init(opts.spec ?? SPEC, "name: tiny\n");
  if (!i.ok) throw new Error(i.error);
  s.setMeta("started_at", opts.startedAt ?? "2025-01-01T00:00:00.000Z");
  s.setMeta("version", "0.1.0");
  for (const b of SPEC.builds) {
    s.putBuild(b, `fp-${b}`, JSON.stringify({ name: b }));
    s.putGolden(golden(b));
  }
  for (let id = 0; id < N; id++) if (!opts.shard || inShard(id, opts.shard)) s.putResult((opts.tweak ?? ((r) => r))(result(id)));
  s.close();
  return path;
}

/** Every row of every data table, in key order. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  const out = {
    experiments: db.prepare("SELECT * FROM experiments ORDER BY id").all(),
    builds: db.prepare("SELECT * FROM builds ORDER BY name").all(),
    golden: db.prepare("SELECT * FROM golden ORDER BY build, workload").all(),
  };
  db.close();
  return out;
}

describe("mergeStores", () => {
  it("merges shards into a database equal row for row to a single run", () => {
    const single = runStore("single.db");
    const shards = [0, 1, 2].map((index) => runStore(`s${index}.db`, { shard: { index, count: 3 }, startedAt: `2025-01-0${index + 2}T00:00:00.000Z` }));
    const out = join(dir, "all.db");
    const m = mergeStores(shards.reverse(), out);
    expect(m).toEqual({ ok: true, summary: { inputs: 3, experiments: N, planned: N, duplicates: 0, builds: 2, golden: 2 } });
    expect(dump(out)).toEqual(dump(single));
    const o = Store.open(out, { create: false });
    if (!o.ok) throw new Error(o.error);
    expect(o.store.spec()).toEqual(SPEC);
    expect(o.store.meta("started_at")).toBe("2025-01-02T00:00:00.000Z");
    expect(JSON.parse(o.store.meta("merged_from") ?? "")).toEqual(["s2.db", "s1.db", "s0.db"]);
    o.store.close();
  });

  it("stores an identical duplicate once", () => {
    const a = runStore("a.db", { shard: { index: 0, count: 2 } });
    const b = runStore("b.db"); // an interrupted-and-redone run holding everything
    const out = join(dir, "all.db");
    const m = mergeStores([a, b], out);
    expect(m.ok && m.summary).toMatchObject({ experiments: N, duplicates: N / 2 });
    const m2 = mergeStores([b, a], join(dir, "all2.db"));
    expect(m2.ok && m2.summary).toMatchObject({ experiments: N, duplicates: N / 2 });
    expect(dump(join(dir, "all2.db"))).toEqual(dump(out));
  });

  it("a conflicting duplicate is an error naming the id, and leaves no output", () => {
    const a = runStore("a.db");
    const b = runStore("b.db", { tweak: (r) => (r.id === 6 ? { ...r, outcome: "system-crash" } : r) });
    const out = join(dir, "all.db");
    const m = mergeStores([a, b], out);
    expect(m).toEqual({ ok: false, error: expect.stringMatching(/^experiment 6 differs between .*a\.db and .*b\.db \(outcome: (?!system-crash)[a-z-]+ vs system-crash\)/) });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(out + "-wal")).toBe(false);
  });

  it("inputs of another spec are an error naming the file", () => {
    const a = runStore("a.db", { shard: { index: 0, count: 2 } });
    const b = runStore("b.db", { shard: { index: 1, count: 2 }, spec: { ...SPEC, seed: 8 } });
    const m = mergeStores([a, b], join(dir, "all.db"));
    expect(m).toEqual({ ok: false, error: expect.stringMatching(/^\S*b\.db holds another spec than \S*a\.db/) });
  });

  it("a differing golden run or build is an error", () => {
    const a = runStore("a.db");
    const b = join(dir, "b.db");
    runStore("b.db", { shard: { index: 0, count: 2 } });
    const db = new Database(b);
    db.prepare("UPDATE golden SET cycles = 501 WHERE build = 'minix3'").run();
    db.close();
    expect(mergeStores([a, b], join(dir, "o1.db"))).toEqual({ ok: false, error: expect.stringMatching(/golden run of minix3 × blocks differs/) });
    const c = runStore("c.db");
    const db2 = new Database(c);
    db2.prepare("UPDATE builds SET fingerprint = 'x' WHERE name = 'monolithic'").run();
    db2.close();
    expect(mergeStores([a, c], join(dir, "o2.db"))).toEqual({ ok: false, error: expect.stringMatching(/build monolithic differs/) });
  });

  it("refuses a used output, an output among the inputs, and missing or bad inputs", () => {
    const a = runStore("a.db");
    const used = runStore("used.db");
    const before = dump(used);
    expect(mergeStores([a], used)).toEqual({ ok: false, error: expect.stringMatching(/used\.db already holds a campaign; merge into a new file/) });
    expect(dump(used)).toEqual(before);
    expect(mergeStores([a], a)).toEqual({ ok: false, error: expect.stringMatching(/is also an input/) });
    expect(mergeStores([a, join(dir, "none.db")], join(dir, "o.db"))).toEqual({ ok: false, error: expect.stringMatching(/none\.db: no such file/) });
    const junk = join(dir, "junk.db");
    writeFileSync(junk, "x".repeat(2000));
    expect(mergeStores([junk], join(dir, "o.db"))).toEqual({ ok: false, error: `${junk} is not a SQLite database` });
    expect(mergeStores([], join(dir, "o.db")).ok).toBe(false);
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    expect(mergeStores([a], empty).ok).toBe(true);
  });
});

describe("shards", () => {
  it("parses i/n and rejects anything else", () => {
    expect(parseShard("0/1")).toEqual({ ok: true, shard: { index: 0, count: 1 } });
    expect(parseShard("2/3")).toEqual({ ok: true, shard: { index: 2, count: 3 } });
    for (const bad of ["3/2", "2/2", "0/0", "-1/2", "1", "a/b", "1/2/3", "", "1.5/2"])
      expect(parseShard(bad)).toEqual({ ok: false, error: `--shard must be i/n with 0 <= i < n, got ${bad}` });
  });

  it("every id is in exactly one shard", () => {
    for (let id = 0; id < 50; id++) expect([0, 1, 2, 3].filter((index) => inShard(id, { index, count: 4 }))).toEqual([id % 4]);
    // Two builds: a fault's two experiments (ids 2f, 2f + 1) go to one shard, and every shard gets both builds.
    for (let id = 0; id < 50; id++) expect([0, 1, 2, 3].filter((index) => inShard(id, { index, count: 4 }, 2))).toEqual([Math.floor(id / 2) % 4]);
    for (let index = 0; index < 4; index++) {
      const ids = Array.from({ length: 48 }, (_, id) => id).filter((id) => inShard(id, { index, count: 4 }, 2));
      expect([ids.filter((id) => id % 2 === 0).length, ids.filter((id) => id % 2 === 1).length]).toEqual([6, 6]);
    }
  });
});
