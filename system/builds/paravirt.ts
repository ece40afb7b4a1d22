/*
 * The driver-VM builds (LeVasseur, Uhlig, Stoess, Götz, OSDI 2004): each driver runs, with a
 * small monolithic driver-domain OS (DD/OS), in a VM of its own on the microkernel as hypervisor
 * (kernel/hypervisor.ts, kernel/ddos.ts). The same driver image as every build runs in the DD/OS's
 * kernel mode; its DD/OS's tables lie in the VM's memory, where a wild write of the driver can
 * corrupt them, and the DD/OS checks them and panics. A panic, an exception, a port outside the
 * VM's device, a missed heartbeat or a hang ends the VM only; the VM's monitor reboots it (a new
 * DD/OS, the driver in its default state), and the clients' translation modules reissue what was
 * pending (servers/recovery-mode.ts "reissue").
 *
 * The hypervisor is the microkernel as minix3 has it: it checks a VM's hypercalls against the
 * VM's service entry (IPC, calls, grants, IRQ lines; its ports are the VM's I/O bitmap) and
 * asserts on its own queues. The VM's monitor pings the VM with the heartbeat of the campaign, as
 * RS pings minix3's drivers, so the builds are compared on what they catch, not on how soon.
 */
import { PARAVIRT_COSTS } from "../kernel/costs.js";
import type { Build } from "./types.js";

export const paravirt: Build = {
  name: "paravirt",
  description: "Driver VMs: each driver with its own small monolithic kernel in a paravirtualised VM; a failed VM is rebooted, the driver back in its default state",
  isolation: { driverMode: "user", addressSpace: "vm", iommu: false },
  privilegeChecks: true,
  costs: PARAVIRT_COSTS,
  kernelChecks: { queueAsserts: true, sanityChecks: false, stackGuard: true },
  kernelMode: { faultPanics: true, preemptible: false, softLockup: { ticks: 0, panic: false } },
  recovery: { agent: "vm", replay: false },
};

/** paravirt with an IOMMU: a device's DMA reaches only its VM's memory (kernel/dma.ts). */
export const paravirtIommu: Build = {
  ...paravirt,
  name: "paravirt-iommu",
  description: "paravirt with an IOMMU: each device's DMA is limited to its driver VM's memory",
  isolation: { ...paravirt.isolation, iommu: true },
};

/** paravirt whose translation modules also replay the device's configuration to the rebooted VM (as a shadow driver does). */
export const paravirtReplay: Build = {
  ...paravirt,
  name: "paravirt-replay",
  description: "paravirt whose translation modules log the device's configuration and replay it to the rebooted VM",
  recovery: { agent: "vm", replay: true },
};

/**
 * paravirt with the VM's own device's ports in its I/O permission bitmap (L4's I/O flexpages on
 * x86): the DD/OS's in/out to them run without a VM exit; any other port still faults. Which of
 * the two LeVasseur et al.'s prototype used is not in our sources; this one measures what the
 * exits on port I/O cost.
 */
export const paravirtIoBitmap: Build = {
  ...paravirt,
  name: "paravirt-iobitmap",
  description: "paravirt with the VM's device's ports in its I/O bitmap: its port accesses run without VM exits",
  isolation: { ...paravirt.isolation, ioBitmap: true },
};
