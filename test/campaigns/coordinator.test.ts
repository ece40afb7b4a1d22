// The coordinator of worker threads, on literal events (no threads, no emulator): golden runs
// spread round robin and stored in configuration order, experiments only once every golden run
// is known and the faults checked, two in flight per worker, results recorded as they arrive,
// a stop drains, and each kind of failure ends the campaign with the right kind of error.
import { describe, expect, it } from "vitest";
import { init, step, type CoordinatorAction, type CoordinatorEvent, type CoordinatorState } from "../../campaigns/coordinator.js";
import { CampaignError } from "../../campaigns/errors.js";
import type { WorkerReply } from "../../campaigns/protocol.js";
import type { ExperimentPlan, ExperimentResult, GoldenRun } from "../../campaigns/types.js";

const CONFIGS: Array<[string, string]> = [["minix3", "blocks"], ["monolithic", "blocks"], ["minix3", "files"]];

const golden = (build: string, workload: string): GoldenRun => ({ build, workload, end: "completed", verdict: "pass", cycles: 100, covered: [4], stateHash: `g-${build}-${workload}` });
const G = CONFIGS.map(([b, w]) => golden(b, w));
const plan = (id: number): ExperimentPlan => ({ id, build: "minix3", workload: "blocks", model: 0, round: 0, index: id, seed: id, faultKey: `blocks/0/0/${id}` });
const result = (id: number): ExperimentResult => ({
  id, build: "minix3", workload: "blocks", faultType: "NOP", fault: `f${id}`, faultJson: "{}", faultKey: `blocks/0/0/${id}`, seed: id, activated: true,
  activationCycle: 5, outcome: "no-effect", detection: "none", restarts: 0, recoveryCycles: -1, propagated: false, cycles: 10, end: "completed", verdict: "pass", detail: "", stateHash: `h${id}`,
});
const plans = (n: number): ExperimentPlan[] => Array.from({ length: n }, (_, i) => plan(i));

const reply = (worker: number, r: WorkerReply): CoordinatorEvent => ({ kind: "reply", worker, reply: r });
const goldenFrom = (worker: number, g: GoldenRun): CoordinatorEvent => reply(worker, { ok: true, kind: "golden", golden: g });
const resultFrom = (worker: number, id: number): CoordinatorEvent => reply(worker, { ok: true, kind: "run", result: result(id) });
const CHECKED: CoordinatorEvent = { kind: "checked" };

/** Feeds the events in order; the last state and every action, in order. */
function run(s: CoordinatorState, ...events: CoordinatorEvent[]): { state: CoordinatorState; actions: CoordinatorAction[] } {
  const actions: CoordinatorAction[] = [];
  for (const e of events) {
    const r = step(s, e);
    s = r.state;
    actions.push(...r.actions);
  }
  return { state: s, actions };
}

/** A compact picture of actions: "w0 golden minix3×blocks", "w1 run 3", "store monolithic×blocks", ... */
function show(actions: CoordinatorAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "send": {
        const r = a.request;
        return `w${a.worker} ` + (r.kind === "golden" ? `golden ${r.build}×${r.workload}` : r.kind === "goldens" ? `goldens ${r.goldens.length}` : `run ${r.plan.id}`);
      }
      case "storeGolden":
        return `store ${a.golden.build}×${a.golden.workload}`;
      case "checkFaults":
        return `check ${a.goldens.map((g) => `${g.build}×${g.workload}`).join(",")}`;
      case "record":
        return `record ${a.result.id}`;
      case "finish":
        return "finish";
      case "fail":
        return `fail ${a.error.message}`;
    }
  });
}

/** A campaign with every golden run stored, past the fault check. */
function experimenting(n: number, workers = 2) {
  return run(init(CONFIGS, G, plans(n), workers), { kind: "start" }, CHECKED);
}

describe("coordinator: golden runs", () => {
  it("spreads the missing golden runs round robin over the workers, in configuration order", () => {
    const { state, actions } = run(init(CONFIGS, [null, null, null], plans(4), 2), { kind: "start" });
    expect(state.phase).toBe("goldens");
    expect(show(actions)).toEqual(["w0 golden minix3×blocks", "w1 golden monolithic×blocks", "w0 golden minix3×files"]);
  });

  it("asks only for those the store lacks", () => {
    const { actions } = run(init(CONFIGS, [G[0], null, G[2]], plans(4), 2), { kind: "start" });
    expect(show(actions)).toEqual(["w0 golden monolithic×blocks"]);
  });

  it("goes on only when all are known, storing the new ones in configuration order, then checks the faults", () => {
    const s0 = run(init(CONFIGS, [null, G[1], null], plans(4), 2), { kind: "start" }).state;
    const first = run(s0, goldenFrom(1, G[2]));
    expect(first.state.phase).toBe("goldens");
    expect(first.actions).toEqual([]);
    const all = run(first.state, goldenFrom(0, G[0]));
    expect(all.state.phase).toBe("checking");
    expect(show(all.actions)).toEqual(["store minix3×blocks", "store minix3×files", "check minix3×blocks,monolithic×blocks,minix3×files"]);
  });

  it("checks the faults at once when the store has every golden run", () => {
    const { state, actions } = run(init(CONFIGS, G, plans(4), 2), { kind: "start" });
    expect(state.phase).toBe("checking");
    expect(show(actions)).toEqual(["check minix3×blocks,monolithic×blocks,minix3×files"]);
  });
});

describe("coordinator: experiments", () => {
  it("tells every worker the golden runs, then puts two experiments in flight on each", () => {
    const { state, actions } = experimenting(10);
    expect(state.phase).toBe("experiments");
    expect(show(actions.slice(1))).toEqual(["w0 goldens 3", "w1 goldens 3", "w0 run 0", "w0 run 1", "w1 run 2", "w1 run 3"]);
    expect(state.inFlight).toEqual([2, 2]);
    expect(state.next).toBe(4);
  });

  it("records results in arrival order and hands the answering worker the next experiment", () => {
    const { state, actions } = run(experimenting(10).state, resultFrom(1, 2), resultFrom(0, 0), resultFrom(1, 3));
    expect(show(actions)).toEqual(["record 2", "w1 run 4", "record 0", "w0 run 5", "record 3", "w1 run 6"]);
    expect(state.inFlight).toEqual([2, 2]);
  });

  it("drains once every experiment is handed out and finishes when nothing is outstanding", () => {
    const a = run(experimenting(5).state, resultFrom(0, 0));
    expect(show(a.actions)).toEqual(["record 0", "w0 run 4"]);
    expect(a.state.phase).toBe("draining");
    const b = run(a.state, resultFrom(1, 2), resultFrom(0, 1), resultFrom(1, 3));
    expect(show(b.actions)).toEqual(["record 2", "record 1", "record 3"]);
    expect(b.state.phase).toBe("draining");
    const c = run(b.state, resultFrom(0, 4));
    expect(show(c.actions)).toEqual(["record 4", "finish"]);
    expect(c.state.phase).toBe("done");
  });

  it("with fewer experiments than slots, drains from the start", () => {
    const { state, actions } = experimenting(3);
    expect(show(actions).filter((a) => a.includes("run"))).toEqual(["w0 run 0", "w0 run 1", "w1 run 2"]);
    expect(state.phase).toBe("draining");
  });
});

describe("coordinator: stop", () => {
  it("hands out nothing more after a stop and finishes with the experiments in flight", () => {
    const s = experimenting(10).state;
    const stopped = run(s, { kind: "stop" });
    expect(stopped.state.phase).toBe("draining");
    expect(stopped.actions).toEqual([]);
    const { state, actions } = run(stopped.state, resultFrom(0, 0), resultFrom(1, 2), resultFrom(0, 1), { kind: "stop" }, resultFrom(1, 3));
    expect(show(actions)).toEqual(["record 0", "record 2", "record 1", "record 3", "finish"]);
    expect(state.phase).toBe("done");
  });

  it("during the golden runs, still stores them, then finishes without experiments", () => {
    const s0 = run(init(CONFIGS, [G[0], null, G[2]], plans(4), 2), { kind: "start" }, { kind: "stop" });
    expect(s0.state.phase).toBe("goldens");
    const { state, actions } = run(s0.state, goldenFrom(0, G[1]), CHECKED);
    expect(show(actions)).toEqual(["store monolithic×blocks", "check minix3×blocks,monolithic×blocks,minix3×files", "w0 goldens 3", "w1 goldens 3", "finish"]);
    expect(state.phase).toBe("done");
  });
});

describe("coordinator: failures", () => {
  const failure = (actions: CoordinatorAction[]): Error => {
    expect(actions).toHaveLength(1);
    expect(actions[0].kind).toBe("fail");
    return (actions[0] as { error: Error }).error;
  };

  it("a golden run that fails is the user's problem: a CampaignError with its one-line message", () => {
    const s = run(init(CONFIGS, [null, G[1], G[2]], plans(4), 2), { kind: "start" }).state;
    const { state, actions } = run(s, reply(0, { ok: false, kind: "golden", what: "golden run of minix3 × blocks", error: "minix3 × blocks: the driver did not announce itself" }));
    const e = failure(actions);
    expect(e).toBeInstanceOf(CampaignError);
    expect(e.message).toBe("minix3 × blocks: the driver did not announce itself");
    expect(state.phase).toBe("failed");
  });

  it("an experiment that fails is a bug in bulkhead: an internal error naming the experiment", () => {
    const s = experimenting(10).state;
    const { state, actions } = run(s, reply(1, { ok: false, kind: "run", what: "experiment 2", error: "boom" }));
    const e = failure(actions);
    expect(e).not.toBeInstanceOf(CampaignError);
    expect(e.message).toBe("experiment 2: boom");
    expect(state.phase).toBe("failed");
  });

  it("a failed fault check fails the campaign with the check's error, before any experiment", () => {
    const s = run(init(CONFIGS, G, plans(4), 2), { kind: "start" }).state;
    const err = new CampaignError("faults[0] (NOP): no site");
    expect(failure(run(s, { kind: "checked", error: err }).actions)).toBe(err);
  });

  it("a worker that dies fails the campaign with its error; nothing after the end has an effect", () => {
    const s = experimenting(10).state;
    const err = new Error("worker died");
    const dead = run(s, { kind: "crashed", worker: 1, error: err });
    expect(failure(dead.actions)).toBe(err);
    const after = run(dead.state, resultFrom(0, 0), { kind: "stop" }, CHECKED);
    expect(after.actions).toEqual([]);
    expect(after.state).toBe(dead.state);
  });

  it("a reply that cannot happen (a result from an idle worker) is an internal error", () => {
    const s = run(init(CONFIGS, G, plans(1), 2), { kind: "start" }, CHECKED).state;
    const e = failure(run(s, resultFrom(1, 0)).actions);
    expect(e).not.toBeInstanceOf(CampaignError);
    expect(e.message).toMatch(/unexpected result of experiment 0 from worker 1 in phase draining/);
  });
});
