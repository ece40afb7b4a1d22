/*
 * The campaign worker protocol: the messages the runner and a worker thread (campaigns/worker.ts)
 * exchange, as plain data (structured-cloned by postMessage). A worker answers each request in
 * the order received; it knows the campaign spec from its workerData, nothing else, until told.
 */
import type { ExperimentPlan, ExperimentResult, GoldenRun } from "./types.js";

/** What the runner asks of a worker. */
export type WorkerRequest =
  /** Run the golden run of build × workload (booting it; the worker keeps the booted system). Reply: "golden". */
  | { kind: "golden"; build: string; workload: string }
  /** The golden runs of every configuration, before any "run". No reply unless it fails. */
  | { kind: "goldens"; goldens: GoldenRun[] }
  /** Run one experiment (booting its configuration on first use). Reply: "run". */
  | { kind: "run"; plan: ExperimentPlan };

/** What a worker answers. */
export type WorkerReply =
  /** The golden run asked for. */
  | { ok: true; kind: "golden"; golden: GoldenRun }
  /** The experiment's result. */
  | { ok: true; kind: "run"; result: ExperimentResult }
  /**
   * A request failed: `kind` "golden" for "golden" and "goldens" (the runner reports it as the
   * user's problem: a configuration that does not boot), "run" for "run" (an experiment that
   * throws: a bug in bulkhead);
   * `what` names the request ("experiment 12"), `error` is the thrown message.
   */
  | { ok: false; kind: "golden" | "run"; what: string; error: string };
