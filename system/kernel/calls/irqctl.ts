/*
 * SYS_IRQCTL: drivers attach to IRQ lines (IRQ_SETPOLICY returns a hook id), enable and
 * disable them. The kernel's generic interrupt handler turns an interrupt into a notification
 * from HARDWARE carrying bit (1 << hook id) in m_notify.interrupts (MINIX lets the driver choose
 * that bit; here the hook id serves as both, which is what libsys documents). Without
 * IRQ_REENABLE the line stays masked (in service at the PLIC) until the driver calls IRQ_ENABLE.
 */
import { EBUSY, EINVAL, EPERM, IRQ_DISABLE, IRQ_ENABLE, IRQ_RMPOLICY, IRQ_SETPOLICY, MSG, OK } from "../abi.js";
import { enableIrqLine } from "../interrupts.js";
import type { Kernel } from "../kernel.js";
import { HOOK, HOOK_SIZE, PRIV } from "../layout.js";
import { get32, set32, type Message } from "../message.js";
import { NR_IRQ_HOOKS } from "../params.js";
import { wrapped } from "../wrappers.js";
import { isVm, vmTables } from "../hypervisor.js";
import { ddosHook } from "../ddos.js";

/** A driver VM's DD/OS keeps the hooks its driver sets in its own tables too (ddos.ts); the host's hook routes the line to the VM. */
function mirror(k: Kernel, caller: number, h: number): void {
  if (!k.vms || !isVm(k, caller)) return;
  const o = PRIV.hooks + h * HOOK_SIZE;
  ddosHook(vmTables(k, caller), h, k.km.priv(caller, o + HOOK.irq), k.km.priv(caller, o + HOOK.enabled) === 1);
}

function irqAllowed(k: Kernel, caller: number, irq: number): boolean {
  if (!k.checked(caller)) return true;
  const n = k.km.priv(caller, PRIV.nrIrq);
  for (let i = 0; i < n; i++) if (k.km.priv(caller, PRIV.irqTab + 4 * i) === irq) return true;
  return false;
}

export function doIrqctl(k: Kernel, caller: number, m: Message): number {
  const km = k.km;
  const request = get32(m, MSG.irqctl.request);
  if (request === IRQ_SETPOLICY) {
    const irq = get32(m, MSG.irqctl.irq);
    if (irq <= 0 || irq >= 32) return -EINVAL;
    if (!irqAllowed(k, caller, irq)) return k.denied(caller, "port", -EPERM);
    for (let h = 0; h < NR_IRQ_HOOKS; h++) {
      const o = PRIV.hooks + h * HOOK_SIZE;
      if (km.priv(caller, o + HOOK.irq) !== 0) continue;
      km.setPriv(caller, o + HOOK.irq, irq);
      km.setPriv(caller, o + HOOK.policy, get32(m, MSG.irqctl.policy));
      km.setPriv(caller, o + HOOK.enabled, 1);
      enableIrqLine(k, irq, true);
      set32(m, MSG.irqctl.hookId, h);
      mirror(k, caller, h);
      return OK;
    }
    return -EBUSY;
  }
  const h = get32(m, MSG.irqctl.hookId);
  if (h < 0 || h >= NR_IRQ_HOOKS) return -EINVAL;
  const o = PRIV.hooks + h * HOOK_SIZE;
  const irq = km.priv(caller, o + HOOK.irq);
  // Nooks tracks the hooks a driver was given: a wrapper fails a driver naming one it does not hold.
  if (irq === 0) return wrapped(k, caller) ? k.wrapperFault(caller, `IRQ hook ${h} not held`, -EINVAL) : -EINVAL;
  const status = control(k, caller, request, o, irq);
  mirror(k, caller, h);
  return status;
}

/** IRQ_ENABLE, IRQ_DISABLE, IRQ_RMPOLICY on the hook at priv offset `o` (line `irq`). */
function control(k: Kernel, caller: number, request: number, o: number, irq: number): number {
  const km = k.km;
  switch (request) {
    case IRQ_ENABLE:
      if (!km.priv(caller, o + HOOK.enabled)) {
        km.setPriv(caller, o + HOOK.enabled, 1);
        k.machine.plic.complete(0, irq); // end of service: the line may interrupt again
      }
      return OK;
    case IRQ_DISABLE:
      km.setPriv(caller, o + HOOK.enabled, 0);
      return OK;
    case IRQ_RMPOLICY:
      if (!km.priv(caller, o + HOOK.enabled)) k.machine.plic.complete(0, irq); // end a service in progress, or the line stays dead
      km.setPriv(caller, o + HOOK.irq, 0);
      km.setPriv(caller, o + HOOK.enabled, 0);
      return OK;
  }
  return -EINVAL;
}
