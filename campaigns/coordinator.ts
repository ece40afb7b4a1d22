/*
 * The coordinator of a campaign on worker threads, as a pure state machine: `step(state, event)`
 * returns the next state and the actions to perform, as data. The driver (runThreads in
 * runner.ts) owns the threads and the store: it feeds in what happens (a worker's reply, the
 * fault check's verdict, a stop asked, a worker dying) and performs the actions (send a request,
 * store a golden run, check the faults, record a result, finish, fail). Nothing here touches a
 * thread, the store or a clock, so every schedule can be tested on literal inputs.
 *
 *   starting → goldens → checking → experiments → draining → done
 *                                                  (any) → failed
 *
 * The golden runs the store lacks are spread round robin over the workers and stored in
 * configuration order once all are known; then, the faults checked, every worker learns them
 * and experiments are handed out in plan order, IN_FLIGHT_PER_WORKER at a time per worker.
 */
import { CampaignError } from "./errors.js";
import type { WorkerReply, WorkerRequest } from "./protocol.js";
import type { ExperimentPlan, ExperimentResult, GoldenRun } from "./types.js";

/** Experiments a worker holds at most: one running and one queued, so it never waits for us. */
export const IN_FLIGHT_PER_WORKER = 2;

export type Phase =
  | "starting" // workers created, nothing asked yet
  | "goldens" // waiting for the golden runs the store lacks
  | "checking" // every golden run known; waiting for the driver's fault check
  | "experiments" // handing out experiments
  | "draining" // nothing more to hand out (all sent, or a stop asked); waiting for those in flight
  | "done"
  | "failed";

/** Everything the coordinator knows; replaced, never mutated, by each step. */
export interface CoordinatorState {
  readonly phase: Phase;
  /** (build, workload) of each configuration, in spec order: the order golden runs are stored in. */
  readonly configs: ReadonlyArray<readonly [string, string]>;
  /** Each configuration's golden run once known (from the store, or a worker's reply); null before. */
  readonly goldens: ReadonlyArray<GoldenRun | null>;
  /** Which configurations' golden runs the workers were asked for (to be stored). */
  readonly asked: readonly boolean[];
  /** The experiments to run, in id order. */
  readonly plans: readonly ExperimentPlan[];
  /** Index in `plans` of the next experiment to hand out. */
  readonly next: number;
  /** Experiments in flight on each worker (index = worker). */
  readonly inFlight: readonly number[];
  /** A stop was asked: hand out nothing more, finish once those in flight are back. */
  readonly stopping: boolean;
}

/** What happens, as the driver reports it. */
export type CoordinatorEvent =
  /** The workers are created: ask for what is missing. */
  | { kind: "start" }
  /** Worker `worker` answered a request. */
  | { kind: "reply"; worker: number; reply: WorkerReply }
  /** The driver checked the fault models against the golden runs (`error`: the check failed). */
  | { kind: "checked"; error?: Error }
  /** Stop asked (Ctrl-C): finish the experiments in flight, start no more. */
  | { kind: "stop" }
  /** Worker `worker` died of an uncaught error. */
  | { kind: "crashed"; worker: number; error: Error };

/** What the driver is to do, in order. */
export type CoordinatorAction =
  | { kind: "send"; worker: number; request: WorkerRequest }
  /** Store a golden run a worker computed. */
  | { kind: "storeGolden"; golden: GoldenRun }
  /** Check every fault model has sites (runner.ts checkFaults); answer with a "checked" event. */
  | { kind: "checkFaults"; goldens: GoldenRun[] }
  /** Store an experiment's result and report progress. */
  | { kind: "record"; result: ExperimentResult }
  /** All done (or stopped cleanly): end the workers, resolve. */
  | { kind: "finish" }
  /** End the workers, reject with `error` (a CampaignError: the user's input; otherwise a bug). */
  | { kind: "fail"; error: Error };

export interface Step {
  state: CoordinatorState;
  actions: CoordinatorAction[];
}

/**
 * The state before anything is asked: `stored[i]` is configuration i's golden run if the store
 * has it, else null. Assumes `workers` >= 1 and `stored` parallel to `configs`.
 */
export function init(configs: Array<[string, string]>, stored: Array<GoldenRun | null>, plans: ExperimentPlan[], workers: number): CoordinatorState {
  return {
    phase: "starting",
    configs,
    goldens: stored,
    asked: stored.map((g) => g === null),
    plans,
    next: 0,
    inFlight: new Array<number>(workers).fill(0),
    stopping: false,
  };
}

/** The next state and the actions that take the campaign there. Events after the end change nothing. */
export function step(s: CoordinatorState, e: CoordinatorEvent): Step {
  if (s.phase === "done" || s.phase === "failed") return { state: s, actions: [] };
  switch (e.kind) {
    case "start":
      return s.phase === "starting" ? onStart(s) : unexpected(s, "start");
    case "reply":
      return onReply(s, e.worker, e.reply);
    case "checked":
      if (s.phase !== "checking") return unexpected(s, "fault check");
      return e.error ? fail(s, e.error) : onChecked(s);
    case "stop":
      return onStop(s);
    case "crashed":
      return fail(s, e.error);
  }
}

/** Asks for the missing golden runs, round robin over the workers (none missing: check at once). */
function onStart(s: CoordinatorState): Step {
  const missing = s.configs.filter((_, i) => s.asked[i]);
  if (missing.length === 0) return allKnown(s);
  const n = s.inFlight.length;
  const actions = missing.map(([build, workload], i) => send(i % n, { kind: "golden", build, workload }));
  return { state: { ...s, phase: "goldens" }, actions };
}

/**
 * A reply. A golden run that fails is the user's problem (a configuration that does not boot:
 * one line); an experiment that fails is a bug in bulkhead.
 */
function onReply(s: CoordinatorState, worker: number, r: WorkerReply): Step {
  if (!r.ok) return fail(s, r.kind === "golden" ? new CampaignError(r.error) : new Error(`${r.what}: ${r.error}`));
  return r.kind === "golden" ? onGolden(s, r.golden) : onResult(s, worker, r.result);
}

function onGolden(s: CoordinatorState, g: GoldenRun): Step {
  const i = s.configs.findIndex(([b, w]) => b === g.build && w === g.workload);
  if (s.phase !== "goldens" || i < 0 || !s.asked[i]) return unexpected(s, `golden run of ${g.build} × ${g.workload}`);
  const next = { ...s, goldens: s.goldens.map((old, j) => (j === i ? g : old)) };
  return next.goldens.every((x) => x !== null) ? allKnown(next) : { state: next, actions: [] };
}

/** Every golden run is known: store the new ones in configuration order, then check the faults. */
function allKnown(s: CoordinatorState): Step {
  const goldens = s.goldens as GoldenRun[];
  const stores = goldens.filter((_, i) => s.asked[i]).map((golden): CoordinatorAction => ({ kind: "storeGolden", golden }));
  return { state: { ...s, phase: "checking" }, actions: [...stores, { kind: "checkFaults", goldens }] };
}

/** The faults check out: every worker learns the golden runs, then gets its first experiments. */
function onChecked(s: CoordinatorState): Step {
  const goldens = s.goldens as GoldenRun[];
  const actions: CoordinatorAction[] = s.inFlight.map((_, w) => send(w, { kind: "goldens", goldens }));
  let state: CoordinatorState = { ...s, phase: "experiments" };
  for (let w = 0; w < s.inFlight.length; w++)
    for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) {
      const f = feed(state, w);
      state = f.state;
      actions.push(...f.actions);
    }
  return settle(state, actions);
}

/** A result: record it (in arrival order) and hand its worker the next experiment. */
function onResult(s: CoordinatorState, worker: number, result: ExperimentResult): Step {
  if ((s.phase !== "experiments" && s.phase !== "draining") || !(s.inFlight[worker] > 0))
    return unexpected(s, `result of experiment ${result.id} from worker ${worker}`);
  const f = feed({ ...s, inFlight: s.inFlight.map((n, w) => (w === worker ? n - 1 : n)) }, worker);
  return settle(f.state, [{ kind: "record", result }, ...f.actions]);
}

/** A stop: remembered in any phase; once experiments are under way, drain. */
function onStop(s: CoordinatorState): Step {
  const state = { ...s, stopping: true };
  return s.phase === "experiments" || s.phase === "draining" ? settle(state, []) : { state, actions: [] };
}

/** Hands `worker` the next experiment, unless there is none or a stop was asked. */
function feed(s: CoordinatorState, worker: number): Step {
  if (s.stopping || s.next >= s.plans.length) return { state: s, actions: [] };
  return {
    state: { ...s, next: s.next + 1, inFlight: s.inFlight.map((n, w) => (w === worker ? n + 1 : n)) },
    actions: [send(worker, { kind: "run", plan: s.plans[s.next] })],
  };
}

/** After handing out: draining once nothing more will be, done once nothing is in flight either. */
function settle(s: CoordinatorState, actions: CoordinatorAction[]): Step {
  if (!s.stopping && s.next < s.plans.length) return { state: s, actions };
  if (s.inFlight.some((n) => n > 0)) return { state: { ...s, phase: "draining" }, actions };
  return { state: { ...s, phase: "done" }, actions: [...actions, { kind: "finish" }] };
}

const send = (worker: number, request: WorkerRequest): CoordinatorAction => ({ kind: "send", worker, request });

function fail(s: CoordinatorState, error: Error): Step {
  return { state: { ...s, phase: "failed" }, actions: [{ kind: "fail", error }] };
}

/** An event that cannot happen in this phase: a bug (in a worker or here), reported as one. */
function unexpected(s: CoordinatorState, what: string): Step {
  return fail(s, new Error(`campaign coordinator: unexpected ${what} in phase ${s.phase}`));
}
