/*
 * What a workload is: a user program (a native process) that exercises the drivers, its
 * service entry and what it needs from the system (servers, driver classes), a progress counter
 * a watchdog can watch, and an oracle that judges the run from what the program saw and from
 * what the devices recorded (a disk's image; later the wire's frames, the samples played, the
 * page printed).
 */
import type { DeviceRecord } from "../machine/device.js";
import type { NativeProgram } from "../kernel/native.js";
import type { ServiceConf } from "../kernel/service.js";

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

/** What the devices recorded, by device name. */
export type DeviceRecords = Record<string, DeviceRecord>;

/** Labels of the drivers composed for each driver class, e.g. { block: ["at_wini"] }. */
export type DriverLabels = Record<string, string[]>;

export interface Workload<S = any> {
  name: string;
  description: string;
  program: NativeProgram<S>;
  /** Its service entry (label = name); composition adds the drivers it may call and its parameters. */
  service: ServiceConf;
  /** Servers it needs (servers/index.ts), e.g. "vfs". */
  servers: string[];
  /** Driver classes it needs (drivers/classes.ts), directly or through its servers, e.g. "block". */
  drivers: string[];
  /** Parameters for a given seed and the drivers composed for it. */
  params(seed: number, drivers: DriverLabels): string;
  /** Prepares the disk image before boot (e.g. formats a file system). */
  prepareDisk?(image: Uint8Array, params: string): void;
  /** A counter that grows while the workload makes progress. */
  progress(state: S): number;
  done(state: S): boolean;
  /** Judges the run; `state` is undefined when the program is gone. */
  judge(params: string, state: S | undefined, devices: DeviceRecords): OracleVerdict;
}

/** The image of the one disk the devices recorded; throws (a composition bug) when there is none. */
export function diskOf(devices: DeviceRecords): Uint8Array {
  const disks = Object.values(devices).filter((d): d is Extract<DeviceRecord, { kind: "disk" }> => d.kind === "disk");
  if (disks.length !== 1) throw new Error(`bulkhead: the oracle expects one disk, the system recorded ${disks.length}`);
  return disks[0].image;
}
