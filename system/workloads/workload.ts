/*
 * What a workload is: a user program (a native process) that exercises the drivers, a progress
 * counter a watchdog can watch, and an oracle that judges the run from what the program saw
 * and from the disk afterwards.
 */
import type { NativeProgram } from "../kernel/native.js";

export interface OracleVerdict {
  /**
   * pass: the program finished and everything checks out; errors: the program saw errors
   * (EIO, failed requests) but nothing wrong went unnoticed; corrupt: wrong data or an
   * inconsistent disk that the program did not report (silent corruption); incomplete: the
   * program did not finish.
   */
  verdict: "pass" | "errors" | "corrupt" | "incomplete";
  /** One line for humans. */
  summary: string;
  /** Whatever the oracle found, for reports. */
  details: Record<string, unknown>;
}

export interface Workload<S = any> {
  name: string;
  description: string;
  program: NativeProgram<S>;
  /** Parameters for a given seed. */
  params(seed: number): string;
  /** Servers it needs besides the driver (e.g. "vfs"). */
  needs: string[];
  /** Prepares the disk image before boot (e.g. formats a file system). */
  prepareDisk?(image: Uint8Array, params: string): void;
  /** A counter that grows while the workload makes progress. */
  progress(state: S): number;
  done(state: S): boolean;
  /** Judges the run; `state` is undefined when the program is gone. */
  judge(params: string, state: S | undefined, disk: Uint8Array): OracleVerdict;
}
