/*
 * Device interrupts (MINIX's generic interrupt handler): claiming a line at the PLIC, turning it
 * into a notification from HARDWARE for every driver hooked to it (with its hook bit pending),
 * and the PLIC line masks behind the hooks: enabled when a driver attaches (SYS_IRQCTL),
 * masked when no live process is hooked to the line any more. One line is the kernel's own:
 * IRQ_IOMMU (IOMMU faults), handled in dma.ts and never passed to a driver.
 *
 * The hooks themselves live in each process's privilege entry in guest RAM (layout.ts, PRIV.hooks).
 */
import { IRQ_IOMMU } from "../machine/memmap.js";
import { HARDWARE } from "./abi.js";
import { iommuInterrupt } from "./dma.js";
import * as ipc from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { HOOK, HOOK_SIZE, PRIV, PROC, RTS_SLOT_FREE } from "./layout.js";
import { PLIC_ENABLE, PLIC_PRIORITY } from "../machine/devices/plic.js";
import { NR_IRQ_HOOKS, NR_SLOTS, slotIndex } from "./params.js";

/**
 * Claims the PLIC's pending line and notifies the drivers hooked to it. The line stays in
 * service (masked) while a hook without IRQ_REENABLE waits for its driver's IRQ_ENABLE. The
 * IOMMU's line goes to the kernel's own handler, even if a driver hooked it.
 */
export function external(k: Kernel): void {
  const plic = k.machine.plic;
  const km = k.km;
  const irq = plic.claim(0);
  if (irq === 0) return;
  if (irq === IRQ_IOMMU) {
    iommuInterrupt(k); // takes the fault records: the line goes low
    plic.complete(0, irq);
    return;
  }
  let hooked = false;
  let reenable = true;
  for (let i = 0; i < NR_SLOTS; i++) {
    if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    for (let h = 0; h < NR_IRQ_HOOKS; h++) {
      const o = PRIV.hooks + h * HOOK_SIZE;
      if (km.priv(i, o + HOOK.irq) !== irq || !km.priv(i, o + HOOK.enabled)) continue;
      hooked = true;
      km.setPriv(i, PRIV.intPending, km.priv(i, PRIV.intPending) | (1 << h));
      if (!(km.priv(i, o + HOOK.policy) & 1)) {
        km.setPriv(i, o + HOOK.enabled, 0);
        reenable = false;
      }
      ipc.notify(k, slotIndex(HARDWARE), km.proc(i, PROC.endpoint));
    }
  }
  if (!hooked) {
    // Nobody handles this line: mask it, or a level-triggered device left asserted (e.g. by a
    // driver that died mid-transfer) would interrupt forever (Linux: "nobody cared").
    enableIrqLine(k, irq, false);
    plic.complete(0, irq);
  } else if (reenable) plic.complete(0, irq);
}

/** Whether some live process has a hook on `irq`. */
function irqHooked(k: Kernel, irq: number): boolean {
  const km = k.km;
  for (let i = 0; i < NR_SLOTS; i++) {
    if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    for (let h = 0; h < NR_IRQ_HOOKS; h++) if (km.priv(i, PRIV.hooks + h * HOOK_SIZE + HOOK.irq) === irq) return true;
  }
  return false;
}

/** Enables (or masks) PLIC line `irq` for the kernel's context (M-mode). */
export function enableIrqLine(k: Kernel, irq: number, on: boolean): void {
  const plic = k.machine.plic;
  plic.mmioWrite(0, PLIC_PRIORITY + 4 * irq, 1, 4);
  const word = plic.mmioRead(0, PLIC_ENABLE, 4);
  plic.mmioWrite(0, PLIC_ENABLE, on ? word | (1 << irq) : word & ~(1 << irq), 4);
}

/**
 * Drops every IRQ hook of process idx (it is dying): a line it left in service is completed,
 * and a line nobody else is hooked to is masked (never the kernel's IOMMU line).
 */
export function releaseIrqs(k: Kernel, idx: number): void {
  const km = k.km;
  for (let h = 0; h < NR_IRQ_HOOKS; h++) {
    const o = PRIV.hooks + h * HOOK_SIZE;
    const irq = km.priv(idx, o + HOOK.irq);
    if (irq > 0 && !km.priv(idx, o + HOOK.enabled)) k.machine.plic.complete(0, irq);
    km.setPriv(idx, o + HOOK.irq, 0);
    km.setPriv(idx, o + HOOK.enabled, 0);
    if (irq > 0 && irq !== IRQ_IOMMU && !irqHooked(k, irq)) enableIrqLine(k, irq, false);
  }
}
