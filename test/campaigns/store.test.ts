/*
 * The campaign store on real SQLite files in a temp directory: create, reopen, resume checks
 * (spec hash), bad files as one-line errors, every field of a result through a round trip, and
 * durability: a result is visible to another connection as soon as putResult returns.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, specHash, Store } from "../../campaigns/store.js";
import type { CampaignSpec, ExperimentResult, GoldenRun } from "../../campaigns/types.js";

const SPEC: CampaignSpec = {
  name: "tiny", description: "", seed: 7, builds: ["minix3", "monolithic"], workloads: ["blocks"],
  driver: "at_wini", driverParams: "dma=1", heartbeatTicks: 33, rounds: 1,
  faults: [{ type: "NOP", count: 3, trigger: { kind: "first" }, persistence: "transient" }],
  limits: { budgetCycles: 1000, watchdogCycles: 100 },
};
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const YAML = "name: tiny\n# as written\n";

/** A result whose every field differs from the defaults. */
function result(id: number, over: Partial<ExperimentResult> = {}): ExperimentResult {
  return {
    id, build: id % 2 ? "monolithic" : "minix3", workload: "blocks", faultType: "NOP",
    fault: `at_wini: at_transfer+0x${id.toString(16)}: sw a0,0(a1) → nop`, faultJson: JSON.stringify({ pc: 0x1000 + id }),
    faultKey: `blocks/0/0/${id >> 1}`, seed: 4_000_000_000 + id, activated: id % 3 !== 0, activationCycle: 12345 + id,
    outcome: "recovered", detection: "heartbeat", restarts: 2, recoveryCycles: 98765, propagated: true,
    cycles: 1_999_999_999, end: "completed", verdict: "pass", detail: "line 1\nline 2 'quoted' \"too\"", stateHash: "ab".repeat(16),
    ...over,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function create(path = join(dir, "c.db")): Store {
  const o = Store.open(path, { create: true });
  if (!o.ok) throw new Error(o.error);
  const i = o.store.init(SPEC, YAML);
  if (!i.ok) throw new Error(i.error);
  return o.store;
}

describe("Store: open and init", () => {
  it("creates a store, records the spec, and reopens it", () => {
    const path = join(dir, "c.db");
    const s = create(path);
    s.setMeta("started_at", "2025-01-01T00:00:00Z");
    s.close();
    const o = Store.open(path, { create: false });
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    expect(o.store.spec()).toEqual(SPEC);
    expect(o.store.meta("name")).toBe("tiny");
    expect(o.store.meta("spec_yaml")).toBe(YAML);
    expect(o.store.meta("spec_hash")).toBe(specHash(SPEC));
    expect(o.store.meta("started_at")).toBe("2025-01-01T00:00:00Z");
    expect(o.store.meta("nothing")).toBeUndefined();
    expect(o.store.init(SPEC, "other yaml, same spec")).toEqual({ ok: true });
    o.store.close();
  });

  it("uses WAL and the documented tables and indices", () => {
    const s = create();
    const db = s.connection();
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const names = db.prepare("SELECT name FROM sqlite_master ORDER BY name").pluck().all();
    expect(names).toEqual(expect.arrayContaining(["meta", "builds", "golden", "experiments", "experiments_build_outcome", "experiments_fault_key"]));
    s.close();
  });

  it("the spec hash ignores key order", () => {
    const shuffled = JSON.parse(canonicalJson(SPEC)) as CampaignSpec;
    expect(specHash(shuffled)).toBe(specHash(SPEC));
    expect(specHash({ ...SPEC, seed: 8 })).not.toBe(specHash(SPEC));
  });

  it("refuses another spec in an existing database", () => {
    const path = join(dir, "c.db");
    create(path).close();
    const o = Store.open(path, { create: true });
    if (!o.ok) throw new Error(o.error);
    const i = o.store.init({ ...SPEC, seed: 8 }, YAML);
    expect(i).toEqual({ ok: false, error: expect.stringMatching(/holds campaign tiny with another spec; use a new --db$/) });
    o.store.close();
  });

  it("a missing file without create is an error", () => {
    expect(Store.open(join(dir, "none.db"), { create: false })).toEqual({ ok: false, error: expect.stringMatching(/none\.db: no such file$/) });
  });

  it("a file that is not SQLite is an error, and is left alone", () => {
    const path = join(dir, "junk.db");
    writeFileSync(path, "this is not a database, just some text that is long enough ".repeat(20));
    for (const create of [false, true]) {
      const o = Store.open(path, { create });
      expect(o).toEqual({ ok: false, error: `${path} is not a SQLite database` });
    }
  });

  it("a SQLite database without bulkhead's tables is an error", () => {
    const path = join(dir, "other.db");
    const db = new Database(path);
    db.exec("CREATE TABLE t (x)");
    db.close();
    expect(Store.open(path, { create: true })).toEqual({ ok: false, error: expect.stringMatching(/not a bulkhead campaign database \(no meta, builds, golden, experiments table\)/) });
  });

  it("a directory is an error; an empty file becomes a store with create", () => {
    expect(Store.open(dir, { create: true })).toEqual({ ok: false, error: expect.stringMatching(/is a directory/) });
    const path = join(dir, "empty.db");
    writeFileSync(path, "");
    expect(Store.open(path, { create: false })).toEqual({ ok: false, error: expect.stringMatching(/empty database/) });
    create(path).close();
  });

  it("a store created but never given a spec cannot be opened for reading", () => {
    const path = join(dir, "c.db");
    const o = Store.open(path, { create: true });
    if (!o.ok) throw new Error(o.error);
    o.store.close();
    expect(Store.open(path, { create: false })).toEqual({ ok: false, error: expect.stringMatching(/holds no campaign yet/) });
  });
});

describe("Store: builds, golden runs, results", () => {
  it("round-trips every field of a result", () => {
    const s = create();
    const rs = [result(0), result(1, { activated: false, propagated: false, activationCycle: -1, recoveryCycles: -1, outcome: "not-activated", detection: "none", cycles: 0, detail: "" }), result(2, { outcome: "system-crash", detection: "mmu" })];
    for (const r of rs) s.putResult(r);
    expect(s.result(1)).toEqual(rs[1]);
    expect(s.results()).toEqual(rs);
    expect(s.results({ outcome: "system-crash" })).toEqual([rs[2]]);
    expect(s.results({ build: "minix3", faultType: "NOP" })).toEqual([rs[0], rs[2]]);
    expect(s.results({ faultKey: "blocks/0/0/0" })).toEqual([rs[0], rs[1]]);
    expect(s.result(99)).toBeUndefined();
    expect([...s.doneIds()].sort()).toEqual([0, 1, 2]);
    expect(s.count()).toBe(3);
    expect(s.outcomeCounts()).toEqual([
      { build: "minix3", outcome: "recovered", n: 1 },
      { build: "minix3", outcome: "system-crash", n: 1 },
      { build: "monolithic", outcome: "not-activated", n: 1 },
    ]);
    s.close();
  });

  it("stores booleans as 0/1 and the columns in snake_case", () => {
    const s = create();
    s.putResult(result(4));
    const row = s.connection().prepare('SELECT activated, propagated, fault_type, recovery_cycles, state_hash, "end" FROM experiments').get();
    expect(row).toEqual({ activated: 1, propagated: 1, fault_type: "NOP", recovery_cycles: 98765, state_hash: "ab".repeat(16), end: "completed" });
    s.close();
  });

  it("stores golden runs and refuses a changed build fingerprint", () => {
    const s = create();
    const g: GoldenRun = { build: "minix3", workload: "blocks", end: "completed", verdict: "pass", cycles: 5000, covered: [0x1000, 0x1004], stateHash: "cd".repeat(16) };
    s.putGolden(g);
    expect(s.getGolden("minix3", "blocks")).toEqual(g);
    expect(s.getGolden("monolithic", "blocks")).toBeUndefined();
    s.putGolden({ ...g, cycles: 5001 });
    expect(s.goldens()).toEqual([{ ...g, cycles: 5001 }]);
    expect(s.putBuild("minix3", "f00d", '{"kernel":"x"}')).toEqual({ ok: true });
    expect(s.putBuild("minix3", "f00d", '{"kernel":"x"}')).toEqual({ ok: true });
    expect(s.putBuild("minix3", "beef", '{"kernel":"y"}')).toEqual({ ok: false, error: expect.stringMatching(/build minix3 has fingerprint f00d here but beef now/) });
    expect(s.builds()).toEqual([{ name: "minix3", fingerprint: "f00d", json: '{"kernel":"x"}' }]);
    s.close();
  });

  it("a result is visible to a second connection as soon as putResult returns", () => {
    const path = join(dir, "c.db");
    const writer = create(path);
    writer.putResult(result(0));
    writer.putResult(result(1));
    const o = Store.open(path, { create: false });
    if (!o.ok) throw new Error(o.error);
    expect(o.store.results()).toEqual([result(0), result(1)]);
    writer.putResult(result(2));
    expect(o.store.doneIds()).toEqual(new Set([0, 1, 2]));
    // Without close() the rows are in the WAL; a plain sqlite connection sees them too.
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT count(*) FROM experiments").pluck().get()).toBe(3);
    raw.close();
    o.store.close();
    writer.close();
  });

  it("kill -9 after putResult loses nothing", () => {
    const path = join(dir, "c.db");
    create(path).close();
    const script = join(dir, "writer.ts");
    writeFileSync(script, `
      import { Store } from ${JSON.stringify(join(ROOT, "campaigns/store.ts"))};
      const o = Store.open(${JSON.stringify(path)}, { create: false });
      if (!o.ok) throw new Error(o.error);
      const rows = ${JSON.stringify([result(0), result(1), result(2)])};
      for (const r of rows) o.store.putResult(r);
      process.kill(process.pid, "SIGKILL");
    `);
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.signal).toBe("SIGKILL");
    const o = Store.open(path, { create: false });
    if (!o.ok) throw new Error(o.error);
    expect(o.store.results()).toEqual([result(0), result(1), result(2)]);
    o.store.close();
  });
});
