/*
 * The recovery agent of a build: who watches the drivers and what it does when one fails. The
 * one place that turns the build's recovery group into processes. Today the agents are RS-based:
 *
 *   "rs"    MINIX 3's reincarnation server: heartbeats every period (if the build has them) and a
 *           restart of a failed driver from its pristine image (if the build restarts)
 *   "none"  no recovery: RS still starts the drivers and is told of their deaths (the part of init
 *           every kernel has), but never pings nor restarts
 *
 * Later agents (a Nooks recovery manager with shadow drivers, a driver-VM reboot) are picked here.
 */
import type { Build } from "./builds/types.js";
import type { NativeProgram } from "./kernel/native.js";
import type { ServiceConf } from "./kernel/service.js";
import { makeRs, rsService } from "./servers/rs/rs.js";

export interface RecoveryAgent {
  service: ServiceConf;
  program: NativeProgram<any>;
}

/** The agent that starts and watches `drivers` in `build` (heartbeat period in clock ticks). */
export function recoveryAgent(build: Build, drivers: ServiceConf[], heartbeatTicks: number): RecoveryAgent {
  const r = build.recovery;
  const period = r.agent === "rs" && r.heartbeat ? heartbeatTicks : 0;
  const restart = r.agent === "rs" && r.restart;
  const dropState = r.agent === "rs" && !r.keepState;
  return { service: rsService, program: makeRs(drivers.map((conf) => ({ conf, period, restart, dropState }))) };
}
