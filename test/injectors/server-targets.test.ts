// BAD_POINTER's `servers` variant resolves its word among the live servers' tables when the site
// is reached (DS's store, RS's service table, VFS's globals, open files, buffer headers and inode
// table: injectors/server-targets.ts), and on the real system the access really goes there: in
// minix3 a page fault at that address, in monolithic (all of RAM mapped) into the table itself.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { activation, arm, onBreakpoint } from "../../injectors/inject.js";
import { planFault } from "../../injectors/plan.js";
import { SERVER_TABLES, serverTableWord } from "../../injectors/server-targets.js";
import type { FaultModel, RuntimeFault } from "../../injectors/types.js";
import { PROC } from "../../system/kernel/layout.js";
import { runWorkload } from "../../system/run.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const model: FaultModel = { type: "BAD_POINTER", variant: "servers", driver: "at_wini", trigger: { kind: "first" }, persistence: "transient", targets: ["at_transfer"] };

function runFault(build: string, seed: string) {
  const { sys, params } = boot(build, filesWorkload);
  const planned = planFault(sys.images.at_wini, model, seedrandom(seed));
  if (!planned.ok) throw new Error(planned.error);
  const armed = arm(sys, planned.fault);
  if (!armed.ok) throw new Error(armed.error);
  const inj = armed.injection;
  const spans = SERVER_TABLES.map((t) => {
    const base = sys.kernel.km.proc(procIndex(sys, t.label), PROC.memBase) >>> 0;
    return [base + t.from, base + t.to];
  });
  const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 1_000_000_000, watchdogCycles: 200_000_000, onBreakpoint: () => void onBreakpoint(sys, inj) });
  return { sys, inj, spans, obs, fault: planned.fault as RuntimeFault };
}

describe("BAD_POINTER servers", () => {
  it("plans a draw; at the site the word lies in a live server's tables", () => {
    for (const seed of ["s1", "s2", "s3", "s4"]) {
      const { sys, inj, spans, fault } = runFault("monolithic", seed);
      expect(fault.action.kind).toBe("aim-server-tables");
      expect(activation(sys, inj).activated).toBe(true);
      expect(inj.aimedAt % 4).toBe(0);
      expect(spans.some(([from, to]) => inj.aimedAt >= from && inj.aimedAt < to)).toBe(true);
    }
  });

  it("minix3: the driver cannot reach them, a page fault at the word; monolithic: the access lands, nothing faults", () => {
    const m = runFault("minix3", "s1");
    const crash = m.sys.kernel.state.events.find((e) => e.kind === "crash" && e.label === "at_wini");
    expect(crash?.detail).toMatch(new RegExp(`page fault at pc 0x[0-9a-f]+, tval 0x${m.inj.aimedAt.toString(16)}$`));
    const mono = runFault("monolithic", "s1");
    expect(mono.inj.aimedAt).toBe(m.inj.aimedAt - (m.spans[0][0] - mono.spans[0][0])); // same table word, the regions may lie elsewhere
    expect(mono.sys.kernel.state.events.some((e) => e.kind === "crash" && e.label === "at_wini")).toBe(false);
  });

  it("with no server alive there is nothing to aim at", () => {
    const { sys } = boot("minix3", filesWorkload);
    for (const t of SERVER_TABLES) sys.kernel.terminate(procIndex(sys, t.label), "killed", "test");
    expect(serverTableWord(sys, 12345)).toBeUndefined();
  });
});
