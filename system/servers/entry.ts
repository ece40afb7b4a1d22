/*
 * What a server offers composition, beside its program: its service entry, the driver classes
 * it uses (composition starts a driver of each and lets them talk), and its boot parameters
 * given the labels of those drivers. The registry of servers a workload can ask for is
 * servers/index.ts.
 */
import type { NativeProgram } from "../kernel/native.js";
import type { ServiceConf } from "../kernel/service.js";
import { SERVER_Q } from "../kernel/params.js";

export interface ServerEntry {
  /** Its service entry (boot parameters filled in by composition). */
  service: ServiceConf;
  program: NativeProgram<any>;
  /** Driver classes it uses (classes.ts): a system with this server always has one of each. */
  drivers: string[];
  /**
   * Driver classes it serves to its clients when the workload asks for them (VFS: the character
   * devices): the workload then talks to the server, not to the driver.
   */
  serves?: string[];
  /** Boot parameters, given the labels of the drivers composed for each class it uses. */
  params?: (drivers: Record<string, string[]>) => string;
}

/** A system server's service entry: any IPC, no kernel calls (natives use the native API), no ports. */
export const serverService = (label: string): ServiceConf => ({
  label, program: { native: label }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: [], io: [], irqs: [],
});
