// The campaign runner on the real system: identical rows whatever the number of workers or
// shards, resume after an interruption, bit-identical replay, and the containment result
// emerging from the builds' mechanisms (not from a table).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeStores } from "../../campaigns/merge.js";
import { replayExperiment } from "../../campaigns/replay.js";
import { runCampaign } from "../../campaigns/runner.js";
import { parseSpec } from "../../campaigns/spec.js";
import { Store } from "../../campaigns/store.js";
import type { CampaignSpec, ExperimentResult } from "../../campaigns/types.js";

const YAML = `
name: runner-test
seed: 21
builds: [minix3, monolithic]
workloads: [blocks]
faults:
  - { type: RANDOM, count: 10 }
  - { type: BAD_POINTER, variant: "null", count: 3 }
  - { type: REG_FLIP, count: 3, trigger: { nth: 2 } }
limits: { budget: 400000000, watchdog: 60000000 }
`;

function specOf(yaml: string): CampaignSpec {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.spec;
}

const dir = mkdtempSync(join(tmpdir(), "bulkhead-runner-"));
let n = 0;
function newStore(spec: CampaignSpec, yaml: string): Store {
  const o = Store.open(join(dir, `s${n++}.db`), { create: true });
  if (!o.ok) throw new Error(o.error);
  const i = o.store.init(spec, yaml);
  if (i && "ok" in i && !i.ok) throw new Error((i as { error: string }).error);
  return o.store;
}
const rows = (s: Store): ExperimentResult[] => s.results().sort((a, b) => a.id - b.id);

describe("campaign runner", () => {
  const spec = specOf(YAML);
  let single: ExperimentResult[] = [];

  it("gives identical rows with one worker, two workers, and two shards merged", async () => {
    const one = newStore(spec, YAML);
    await runCampaign(spec, one, { workers: 1 });
    single = rows(one);
    expect(single).toHaveLength(2 * 16);
    const two = newStore(spec, YAML);
    await runCampaign(spec, two, { workers: 2 });
    expect(rows(two)).toEqual(single);
    const shards = [0, 1].map((index) => {
      const s = newStore(spec, YAML);
      return { s, index };
    });
    for (const { s, index } of shards) await runCampaign(spec, s, { workers: 1, shard: { index, count: 2 } });
    const paths = shards.map(({ s }) => s.connection().name);
    for (const { s } of shards) s.close();
    const out = join(dir, "merged.db");
    const m = mergeStores(paths, out);
    expect(m.ok).toBe(true);
    const merged = Store.open(out, { create: false });
    if (!merged.ok) throw new Error(merged.error);
    expect(rows(merged.store)).toEqual(single);
  }, 120_000);

  it("resumes an interrupted campaign without losing or repeating experiments", async () => {
    const s = newStore(spec, YAML);
    let calls = 0;
    const first = await runCampaign(spec, s, { workers: 1, shouldStop: () => ++calls > 7 });
    expect(first.ran).toBe(7);
    const second = await runCampaign(spec, s, { workers: 1 });
    expect(second.resumed).toBe(7);
    expect(second.ran).toBe(single.length - 7);
    expect(rows(s)).toEqual(single);
  }, 120_000);

  it("replays an experiment bit-identically, with its timeline", () => {
    const s = newStore(spec, YAML);
    for (const r of single) s.putResult(r);
    for (const g of [["minix3", "blocks"], ["monolithic", "blocks"]] as const) {
      const golden = Store.open(join(dir, "s0.db"), { create: false });
      if (!golden.ok) throw new Error(golden.error);
      s.putGolden(golden.store.getGolden(g[0], g[1])!);
    }
    const interesting = single.find((r) => r.outcome !== "not-activated" && r.outcome !== "no-effect")!;
    const rep = replayExperiment(s, interesting.id, {});
    expect(rep.ok).toBe(true);
    if (!rep.ok) return;
    expect(rep.report.identical).toBe(true);
    expect(rep.report.replayed).toEqual(interesting);
    expect(rep.report.timeline.length).toBeGreaterThan(0);
  }, 60_000);

  it("decides the hang classes deterministically: system and workload hangs alike with 1 worker, 2 workers, shards and replay", async () => {
    const yaml = `
name: hangs
seed: 1
builds: [minix3, monolithic]
workloads: [files]
heartbeat: 33
faults:
  - { type: LOOP, count: 20 }
  - { type: INFINITE_LOOP, variant: self-branch, count: 4, targets: [at_transfer, at_intr_wait] }
limits: { budget: 400000000, watchdog: 60000000 }
`;
    const h = specOf(yaml);
    const one = newStore(h, yaml);
    await runCampaign(h, one, { workers: 1 });
    const ref = rows(one);
    const count = (o: string) => ref.filter((r) => r.outcome === o).length;
    expect(count("system-hang")).toBeGreaterThan(0);
    expect(count("workload-hang")).toBeGreaterThan(0);
    const two = newStore(h, yaml);
    await runCampaign(h, two, { workers: 2 });
    expect(rows(two)).toEqual(ref);
    const shards = [0, 1].map(() => newStore(h, yaml));
    for (const [index, st] of shards.entries()) await runCampaign(h, st, { workers: 1, shard: { index, count: 2 } });
    expect(shards.flatMap(rows).sort((a, b) => a.id - b.id)).toEqual(ref);
    for (const outcome of ["system-hang", "workload-hang"]) {
      const r = ref.find((x) => x.outcome === outcome)!;
      const rep = replayExperiment(one, r.id, {});
      expect(rep.ok && rep.report.identical && rep.report.replayed).toEqual(r);
    }
  }, 120_000);

  it("lets containment emerge: the same faults crash monolithic but never minix3", async () => {
    const yaml = YAML.replace("name: runner-test", "name: containment").replace(/faults:[\s\S]*limits/, `faults:
  - { type: BAD_POINTER, variant: "null", count: 6 }
  - { type: NOP, count: 30, targets: [at_transfer, at_dma_io, at_intr_wait, at_transfer_chunk] }
limits`);
    const c = specOf(yaml);
    const s = newStore(c, yaml);
    await runCampaign(c, s, { workers: 1 });
    const all = rows(s);
    const crashes = (b: string) => all.filter((r) => r.build === b && r.outcome === "system-crash").length;
    expect(crashes("minix3")).toBe(0);
    expect(crashes("monolithic")).toBeGreaterThan(0);
    // Paired: a fault that crashed monolithic was detected and contained in minix3.
    const pair = all.find((r) => r.build === "monolithic" && r.outcome === "system-crash")!;
    const twin = all.find((r) => r.build === "minix3" && r.faultKey === pair.faultKey)!;
    expect(twin.fault).toBe(pair.fault);
    expect(["recovered", "degraded", "component-dead"]).toContain(twin.outcome);
  }, 120_000);
});

describe("a campaign with one driver per workload", () => {
  it("puts each workload's faults into its own driver, and every build runs them", async () => {
    const yaml = `
name: per-workload
seed: 3
builds: [nooks, minix3]
workloads: [files, net]
driver: { files: at_wini, net: rtl8139 }
faults:
  - { type: NOP, count: 4 }
limits: { budget: 400000000, watchdog: 100000000 }
`;
    const spec = specOf(yaml);
    const s = newStore(spec, yaml);
    await runCampaign(spec, s, { workers: 1 });
    const rs = rows(s);
    expect(rs.length).toBe(2 * 2 * 4);
    for (const r of rs) expect(JSON.parse(r.faultJson).driver).toBe(r.workload === "files" ? "at_wini" : "rtl8139");
    expect(new Set(rs.map((r) => r.build))).toEqual(new Set(["nooks", "minix3"]));
    expect(rs.filter((r) => r.activated).length).toBeGreaterThan(0);
  });
});

