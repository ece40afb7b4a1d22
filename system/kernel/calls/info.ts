/*
 * Small kernel calls: SYS_SETALARM (a notification from CLOCK after some ticks), SYS_GETINFO
 * (who am I, uptime, boot parameters, HZ), SYS_UMAP (physical address of a buffer, for DMA),
 * SYS_DIAGCTL (console output), SYS_PRIVCTL (RS lets a process run) and SYS_EXIT.
 */
import {
  E2BIG, EFAULT, EINVAL, EPERM, GET_HZ, GET_PARAMS, GET_UPTIME, GET_WHOAMI, MSG, OK, SYS_PRIV_ALLOW, WHOAMI_SIZE,
} from "../abi.js";
import type { Kernel } from "../kernel.js";
import { PROC, RTS_NO_PRIV, PRIV } from "../layout.js";
import { get32, set32, setString, type Message } from "../message.js";
import { HZ } from "../params.js";
import { bootParams, clearRts, lookupEndpoint } from "../proc.js";
import { enqueue } from "../sched.js";
import { copyFrom, copyTo, procTranslate } from "../vm.js";
import { EDONTREPLY } from "./status.js";

export function doSetalarm(k: Kernel, caller: number, m: Message): number {
  const km = k.km;
  const ticks = k.state.ticks;
  const old = km.priv(caller, PRIV.alarmLo) >>> 0;
  const left = old ? Math.max(0, old - ticks) : 0;
  set32(m, MSG.setalarm.leftLo, left);
  set32(m, MSG.setalarm.leftHi, 0);
  const exp = get32(m, MSG.setalarm.expLo) >>> 0;
  const at = exp === 0 ? 0 : get32(m, MSG.setalarm.absTime) ? exp : ticks + exp;
  km.setPriv(caller, PRIV.alarmLo, at > ticks || at === 0 ? at : ticks + 1);
  return OK;
}

export function doGetinfo(k: Kernel, caller: number, m: Message): number {
  const km = k.km;
  const addr = get32(m, MSG.getinfo.address) >>> 0;
  const size = get32(m, MSG.getinfo.size);
  let data: Uint8Array;
  switch (get32(m, MSG.getinfo.request)) {
    case GET_WHOAMI:
      data = new Uint8Array(WHOAMI_SIZE);
      set32(data, 0, km.proc(caller, PROC.endpoint));
      set32(data, 4, km.priv(caller, PRIV.flags));
      setString(data, 8, 16, km.procName(caller));
      break;
    case GET_UPTIME:
      data = new Uint8Array(8);
      set32(data, 0, k.state.ticks);
      set32(data, 4, Math.floor(k.state.ticks / 2 ** 32));
      break;
    case GET_PARAMS: {
      const p = bootParams(km, caller);
      if (p.length + 1 > size) return -E2BIG;
      data = new Uint8Array(p.length + 1);
      setString(data, 0, p.length + 1, p);
      break;
    }
    case GET_HZ:
      data = new Uint8Array(4);
      set32(data, 0, HZ);
      break;
    default:
      return -EINVAL;
  }
  if (size < data.length) return -E2BIG;
  return copyTo(km, caller, addr, data) ? OK : -EFAULT;
}

/** SYS_UMAP: the physical address of [vaddr, vaddr + size) when it is physically contiguous. */
export function doUmap(k: Kernel, caller: number, m: Message): number {
  const va = get32(m, MSG.umap.vaddr) >>> 0;
  const size = get32(m, MSG.umap.size) >>> 0;
  if (size === 0 || size > 1 << 20) return -EINVAL;
  const pa = procTranslate(k.km, caller, va, false);
  if (pa < 0) return -EFAULT;
  for (let a = ((va & ~0xfff) >>> 0) + 0x1000; a < va + size; a += 0x1000)
    if (procTranslate(k.km, caller, a, false) !== pa + (a - va)) return -EFAULT;
  set32(m, MSG.umap.paddr, pa);
  return OK;
}

export function doDiagctl(k: Kernel, caller: number, m: Message): number {
  const size = Math.min(get32(m, MSG.diag.size) >>> 0, 1024);
  const text = copyFrom(k.km, caller, get32(m, MSG.diag.address) >>> 0, size);
  if (!text) return -EFAULT;
  // Printable ASCII and newlines kept, anything else shown as "?" (text is our own copy).
  for (let i = 0; i < text.length; i++) if (!(text[i] === 10 || (text[i] >= 32 && text[i] < 127))) text[i] = 0x3f;
  const s = Buffer.from(text.buffer, text.byteOffset, text.length).toString("latin1");
  k.print(`${k.km.procName(caller)}: ${s}${s.endsWith("\n") ? "" : "\n"}`);
  return OK;
}

/** SYS_PRIVCTL SYS_PRIV_ALLOW: lets a process created without privileges run (RS only). */
export function doPrivctl(k: Kernel, caller: number, m: Message): number {
  const target = lookupEndpoint(k.km, get32(m, MSG.privctl.endpt));
  if (target < 0) return -EINVAL;
  if (get32(m, MSG.privctl.request) !== SYS_PRIV_ALLOW) return -EINVAL;
  if (!(k.km.proc(target, PROC.rtsFlags) & RTS_NO_PRIV)) return -EPERM;
  if (clearRts(k.km, target, RTS_NO_PRIV) === 0) enqueue(k.km, target, k.asserts);
  return OK;
}

export function doExit(k: Kernel, caller: number, m: Message): number {
  const why = `exit status ${get32(m, MSG.exit.status)}`;
  // A driver inside the kernel that gives up (panic(), exit) takes the kernel with it, where the build says so (Kernel.fail).
  k.fail(caller, "exit", why);
  return EDONTREPLY;
}
