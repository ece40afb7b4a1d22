// The paired comparison's rates over activated faults and its detection pairs, on literal rows.
import { describe, expect, it } from "vitest";
import type { ExperimentResult, Outcome } from "../../campaigns/types.js";
import type { ReportData } from "../../reports/data.js";
import { comparePaired, formatComparisonText } from "../../reports/pairs.js";

function row(id: number, build: string, key: string, outcome: Outcome, detection: ExperimentResult["detection"], activated = true): ExperimentResult {
  return {
    id, build, workload: "files", faultType: "NOP", fault: "f", faultJson: "{}", faultKey: key, seed: 1, activated, activationCycle: activated ? 10 : -1,
    outcome, detection, restarts: 0, recoveryCycles: -1, propagated: false, cycles: 1, end: "completed", verdict: "pass", detail: "{}", stateHash: "",
  };
}

const rows = [
  // the same MMU fault: a restart in one build, a panic in the other
  row(1, "m3", "k1", "recovered", "mmu"), row(2, "mono", "k1", "system-crash", "mmu"),
  row(3, "m3", "k2", "recovered", "mmu"), row(4, "mono", "k2", "system-crash", "mmu"),
  // a stalled workload on a live system in both: not a system failure
  row(5, "m3", "k3", "workload-hang", "none"), row(6, "mono", "k3", "workload-hang", "none"),
  // a hang RS sees, a system hang in the other
  row(7, "m3", "k4", "recovered", "heartbeat"), row(8, "mono", "k4", "system-hang", "none"),
  // never activated on either side: out of the activated rates and the detection pairs
  row(9, "m3", "k5", "not-activated", "none", false), row(10, "mono", "k5", "not-activated", "none", false),
];
const data = { path: "t.db", results: rows } as unknown as ReportData;

describe("paired comparison: failure over activated faults, detection of each pair", () => {
  it("counts system failures (crash or system hang, not a workload hang) over the activated faults of each side", () => {
    const r = comparePaired(data, "m3", "mono");
    if (!r.ok) throw new Error(r.error);
    expect(r.rateB).toMatchObject({ x: 3, n: 5 });
    expect(r.activatedRateA).toMatchObject({ x: 0, n: 4 });
    expect(r.activatedRateB).toMatchObject({ x: 3, n: 4 });
  });

  it("lists each pair's detections and outcomes, most pairs first, without the pairs never activated", () => {
    const r = comparePaired(data, "m3", "mono");
    if (!r.ok) throw new Error(r.error);
    expect(r.detections).toEqual([
      { a: "mmu", b: "mmu", outcomeA: "recovered", outcomeB: "system-crash", pairs: 2 },
      { a: "none", b: "none", outcomeA: "workload-hang", outcomeB: "workload-hang", pairs: 1 },
      { a: "heartbeat", b: "none", outcomeA: "recovered", outcomeB: "system-hang", pairs: 1 },
    ]);
    expect(formatComparisonText(r)).toContain("      2  recovered (mmu) → system-crash (mmu)");
  });
});
