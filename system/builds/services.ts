/*
 * The service table (MINIX /etc/system.conf as data): for each system service, its program,
 * priority, and least-privilege grants — whom it may send to, which kernel calls it may make,
 * its I/O ports and IRQ lines. The same table serves every build; builds decide whether the
 * kernel enforces it.
 */
import { IRQ_ATA, PORT_ATA_BM, PORT_ATA_CMD, PORT_ATA_CTRL } from "../machine/memmap.js";
import { DRIVER_Q } from "../kernel/params.js";
import type { ServiceConf } from "../kernel/service.js";

/** The ATA disk driver (MINIX at_wini): its ports, IRQ 14, and the calls a block driver needs. */
export const AT_WINI: ServiceConf = {
  label: "at_wini",
  program: { guest: "at_wini" },
  role: "driver",
  priority: DRIVER_Q,
  ipcTo: ["rs", "ds", "vfs"],
  kernelCalls: ["DEVIO", "SDEVIO", "VDEVIO", "SAFECOPYFROM", "SAFECOPYTO", "SETGRANT", "IRQCTL", "SETALARM", "GETINFO", "UMAP", "DIAGCTL", "EXIT"],
  io: [
    [PORT_ATA_CMD, PORT_ATA_CMD + 7],
    [PORT_ATA_CTRL, PORT_ATA_CTRL],
    [PORT_ATA_BM, PORT_ATA_BM + 7],
  ],
  irqs: [IRQ_ATA],
  params: "dma=1",
};

/** A service entry with fields replaced (e.g. another label or boot parameters). */
export const withConf = (base: ServiceConf, change: Partial<ServiceConf>): ServiceConf => ({ ...base, ...change });
