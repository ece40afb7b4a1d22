/*
 * The SYSTEM task: kernel calls. A guest traps with IPC_KERNEL_CALL and a message whose m_type
 * is the call number; the kernel copies the message in, checks the caller's kernel-call mask
 * (ECALLDENIED), runs the handler (do_x style: message in, status out), and copies the reply
 * back with m_type = status, which is also the trap's return value.
 */
import {
  ECALLDENIED, EFAULT, ENOSYS, KERNEL_CALL, M_TYPE, NR_SYS_CALLS, SYS_DEVIO, SYS_DIAGCTL, SYS_EXIT, SYS_GETINFO,
  SYS_IRQCTL, SYS_PRIVCTL, SYS_SAFECOPYFROM, SYS_SAFECOPYTO, SYS_SDEVIO, SYS_SETALARM, SYS_SETGRANT, SYS_UMAP, SYS_VDEVIO,
} from "../abi.js";
import type { Kernel } from "../kernel.js";
import { PRIV } from "../layout.js";
import { get32, set32, type Message } from "../message.js";
import { doDevio, doSdevio, doVdevio } from "./devio.js";
import { vmPortCall } from "../hypervisor.js";
import { doDiagctl, doExit, doGetinfo, doPrivctl, doSetalarm, doUmap } from "./info.js";
import { doIrqctl } from "./irqctl.js";
import { doSafecopyFrom, doSafecopyTo, doSetgrant } from "./safecopy.js";
import { EDONTREPLY } from "./status.js";

/** A kernel-call handler: returns the status for the caller, or EDONTREPLY. */
export type CallHandler = (k: Kernel, caller: number, m: Message) => number;

const TABLE: Record<number, CallHandler> = {
  [SYS_DEVIO]: doDevio,
  [SYS_SDEVIO]: doSdevio,
  [SYS_VDEVIO]: doVdevio,
  [SYS_SAFECOPYFROM]: doSafecopyFrom,
  [SYS_SAFECOPYTO]: doSafecopyTo,
  [SYS_SETGRANT]: doSetgrant,
  [SYS_IRQCTL]: doIrqctl,
  [SYS_SETALARM]: doSetalarm,
  [SYS_GETINFO]: doGetinfo,
  [SYS_UMAP]: doUmap,
  [SYS_DIAGCTL]: doDiagctl,
  [SYS_PRIVCTL]: doPrivctl,
  [SYS_EXIT]: doExit,
};

/** Names used in service tables (system.conf "system" lines), without the SYS_ prefix. */
export const KERNEL_CALL_NAMES: Record<string, number> = {
  DEVIO: SYS_DEVIO, SDEVIO: SYS_SDEVIO, VDEVIO: SYS_VDEVIO, SAFECOPYFROM: SYS_SAFECOPYFROM, SAFECOPYTO: SYS_SAFECOPYTO,
  SETGRANT: SYS_SETGRANT, IRQCTL: SYS_IRQCTL, SETALARM: SYS_SETALARM, GETINFO: SYS_GETINFO, UMAP: SYS_UMAP,
  DIAGCTL: SYS_DIAGCTL, PRIVCTL: SYS_PRIVCTL, EXIT: SYS_EXIT,
};

/** Handles the kernel call of process `caller` whose message is at `va`; returns the status. */
export function kernelCall(k: Kernel, caller: number, va: number): number {
  // Code inside the kernel calls the function itself: no decode and checks, arguments by
  // reference. So does a driver in a VM for a port access: its DD/OS executes the in/out itself.
  const trapped = !k.callsDirectly(caller) && !vmPortCall(k, caller);
  if (trapped) k.charge("kernelCall");
  else k.note("kernelCall");
  const m = k.copyMsgFrom(caller, va, trapped);
  if (!m) return -EFAULT;
  const call = get32(m, M_TYPE);
  const nr = call - KERNEL_CALL;
  if (nr < 0 || nr >= NR_SYS_CALLS || !TABLE[call]) return -ENOSYS;
  if (k.checked(caller) && !k.km.privBit(caller, PRIV.callMask, nr)) return k.denied(caller, "call", -ECALLDENIED);
  const status = TABLE[call](k, caller, m);
  if (status === EDONTREPLY) return status;
  set32(m, M_TYPE, status);
  if (!k.copyMsgTo(caller, va, m, trapped)) return -EFAULT;
  return status;
}
