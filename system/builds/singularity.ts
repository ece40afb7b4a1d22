/*
 * The Singularity builds (Hunt & Larus, OSR 2007; Fähndrich et al., EuroSys 2006; Aiken et al.,
 * MSPC 2006): drivers are software-isolated processes (SIPs). They share one address space and
 * one privilege level with the kernel — no trap into it (a call), no address-space switch, no
 * message copy (a message's block changes owner in the exchange heap) — and nothing in the
 * hardware stops a wild pointer: the checks a safe language's compiler inserts do, on every
 * load, store and indirect jump (machine/cpu.ts sfi), at a cost per check (kernel/costs.ts
 * SINGULARITY_COSTS). A real Singularity verifies a process's code before it runs and would
 * refuse a mutated binary; here the driver's binary is the one every build runs (DESIGN.md
 * principle 4) and a SWIFI fault mutates it, so what a fault meets is the checks themselves,
 * which live outside the mutable text and cannot be mutated with it.
 *
 * What kills a SIP (and nothing else): a failed software check (detection "sfi"), a privileged
 * instruction ("privileged"), a message out of its channel's contract ("contract"), a copy to or
 * from an exchange-heap block it does not hold ("exchange-heap"), a resource its manifest does
 * not declare — a port, an IRQ, a kernel call, a peer ("manifest"). A CPU exception of a SIP
 * (a misaligned access, an illegal instruction) ends it as any process's. Its peers see its
 * channels closed and handle it as MINIX's servers handle a driver's death.
 *
 * Singularity has no heartbeat: a SIP in a loop holds nothing (the scheduler preempts it) but is
 * never found out. Recovery is a service manager's restart of a SIP whose channels closed, with
 * nothing of its state kept (Singularity has no DS); singularity-norestart has none.
 */
import { SINGULARITY_COSTS } from "../kernel/costs.js";
import type { Build } from "./types.js";

export const singularity: Build = {
  name: "singularity",
  description: "Singularity: drivers as software-isolated processes (one address space and privilege level, compiler-inserted checks, contract-checked channels, exchange heap); a dead SIP is restarted",
  isolation: { driverMode: "supervisor", addressSpace: "sip", iommu: false },
  // The manifest: a SIP holds only the ports, IRQs, kernel calls and peers it declares.
  privilegeChecks: true,
  costs: SINGULARITY_COSTS,
  // Its kernel is safe code: a corrupt table it reads fails a type-safety check, which DMA (the
  // only way to corrupt it here) does not trip; no MINIX asserts are modelled.
  kernelChecks: { queueAsserts: false, sanityChecks: false, stackGuard: true },
  kernelMode: { faultPanics: false, preemptible: true, softLockup: { ticks: 0, panic: false } },
  recovery: { agent: "rs", heartbeat: false, restart: true, keepState: false },
};

/** singularity without recovery: a dead SIP stays dead (the ablation of the service manager's restart). */
export const singularityNoRestart: Build = {
  ...singularity,
  name: "singularity-norestart",
  description: "singularity without the service manager's restart: a SIP that dies stays dead",
  recovery: { agent: "none" },
};
