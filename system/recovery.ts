/*
 * The recovery agent of a build: who watches the drivers and what it does when one fails. The
 * one place that turns the build's recovery group into processes. Today the agents are RS-based:
 *
 *   "rs"    MINIX 3's reincarnation server: heartbeats every period (if the build has them) and a
 *           restart of a failed driver from its pristine image (if the build restarts)
 *   "none"  no recovery: RS still starts the drivers and is told of their deaths (the part of init
 *           every kernel has), but never pings nor restarts
 *
 *   "nooks" Nooks' recovery manager: the kernel tells it of a failure (an exception, a failed
 *           wrapper check, a livelock: it never pings), and it reloads the driver from its
 *           pristine image at once, in its initial state: RS's restart code (with its backoff
 *           should the same driver fail again), without heartbeats, and with the driver's DS
 *           entries dropped first (Nooks keeps no driver state). The shadow
 *           drivers of nooks-shadow are on the clients' side (servers/recovery-mode.ts).
 *
 *   "vm"    the driver VMs' monitor (LeVasseur et al., OSDI 2004): heartbeats as RS's, and a
 *           failed VM (its DD/OS panicked, it missed its heartbeats, it hung) rebooted from its
 *           pristine image: RS's restart code, the reboot's own cost charged by the hypervisor
 *           (kernel/hypervisor.ts bootVm), with the driver's DS entries dropped first (nothing
 *           of the driver's state survives its VM). The translation modules that reissue what
 *           was pending are on the clients' side (servers/recovery-mode.ts).
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
  const period = (r.agent === "rs" && r.heartbeat) || r.agent === "vm" ? heartbeatTicks : 0;
  const restart = (r.agent === "rs" && r.restart) || r.agent === "nooks" || r.agent === "vm";
  const dropState = (r.agent === "rs" && !r.keepState) || r.agent === "nooks" || r.agent === "vm";
  return { service: rsService, program: makeRs(drivers.map((conf) => ({ conf, period, restart, dropState }))) };
}
