// The planner: deterministic ids, every fault on every build (paired), seeds independent of
// the build and of how the campaign is split.
import { describe, expect, it } from "vitest";
import { deriveSeed, planExperiments } from "../../campaigns/plan.js";
import type { CampaignSpec } from "../../campaigns/types.js";

const spec: CampaignSpec = {
  name: "t", description: "", seed: 9, builds: ["minix3", "monolithic"], workloads: ["blocks"], driver: "at_wini", driverParams: "dma=1",
  heartbeatTicks: 33, rounds: 2, limits: { budgetCycles: 1, watchdogCycles: 1 },
  faults: [{ type: "NOP", count: 3, trigger: { kind: "first" }, persistence: "transient" }, { type: "SRC", count: 1, trigger: { kind: "first" }, persistence: "transient" }],
};

describe("planner", () => {
  const plans = planExperiments(spec);
  it("plans builds × workloads × models × rounds × count experiments with ids 0..n-1", () => {
    expect(plans).toHaveLength(2 * 1 * (3 + 1) * 2);
    expect(plans.map((p) => p.id)).toEqual(plans.map((_, i) => i));
  });
  it("gives the same fault (key and seed) to each build, adjacently", () => {
    for (let i = 0; i < plans.length; i += 2) {
      expect(plans[i].build).toBe("minix3");
      expect(plans[i + 1].build).toBe("monolithic");
      expect(plans[i + 1].faultKey).toBe(plans[i].faultKey);
      expect(plans[i + 1].seed).toBe(plans[i].seed);
    }
    expect(new Set(plans.map((p) => p.faultKey)).size).toBe(plans.length / 2);
  });
  it("derives seeds from the campaign seed only", () => {
    expect(planExperiments(spec)).toEqual(plans);
    expect(planExperiments({ ...spec, seed: 10 })[0].seed).not.toBe(plans[0].seed);
    expect(deriveSeed(9, "blocks/0/0/0")).toBe(plans[0].seed);
  });
});
