/*
 * A kernel build is data, grouped by mechanism: how drivers are isolated, which checks the kernel
 * applies to them, what the kernel does when code running inside it misbehaves, and which agent
 * recovers a failed driver. The kernel asks these questions in one place (kernel/policy.ts) and
 * composition picks the recovery agent (compose.ts); nothing else differs between builds
 * (DESIGN.md principle 4: same binary, many builds). Later builds add groups (cost model,
 * Nooks' domains, driver VMs, software checks) rather than flags scattered over the kernel.
 */
import type { CostModel } from "../kernel/costs.js";

export interface Build {
  name: string;
  description: string;
  /** Where drivers run and what they can reach. */
  isolation: {
    /** Privilege mode of driver processes. */
    driverMode: "user" | "supervisor";
    /**
     * "private": a driver's page table maps only its own image and stack.
     * "kernel": one kernel address space: all of RAM is mapped (read/write) into every driver too.
     * "domain": Nooks' lightweight protection domain: the kernel address space as "kernel" maps
     *   it, through the driver's own copy of the page table in which everything but the driver's
     *   image and stack is read-only. Entering and leaving the domain switches page tables, and
     *   every call across it goes through a wrapper (kernel/wrappers.ts).
     * "vm": LeVasseur et al.'s driver VM (OSDI 2004), paravirtualised: the driver runs with a
     *   small monolithic driver-domain kernel (DD/OS) in a VM of its own, deprivileged, through a
     *   page table the hypervisor builds over the VM's memory and nothing else
     *   (kernel/hypervisor.ts, kernel/ddos.ts).
     * "sip": Singularity's software-isolated processes (Hunt & Larus, OSR 2007): one address
     *   space and one privilege level for all (the kernel address space as "kernel" maps it), no
     *   hardware protection between them; the software checks a safe language's compiler inserts
     *   keep each process's loads, stores and jumps in its own memory (machine/cpu.ts sfi), and
     *   processes talk over channels checked against their contracts (kernel/channels.ts).
     */
    addressSpace: "private" | "kernel" | "domain" | "vm" | "sip";
    /** An IOMMU restricts each device's DMA to the memory of the driver that owns the device. */
    iommu: boolean;
    /**
     * "vm" only: the VM's own device's ports are mapped into its I/O permission bitmap (L4's I/O
     * flexpages on x86), so the DD/OS's in/out to them run without a VM exit; other ports still
     * fault. Absent or false: every port access traps to the hypervisor, which checks and performs it.
     */
    ioBitmap?: boolean;
  };
  /** The kernel checks drivers' requests against their service entry: IPC send mask, kernel-call mask, I/O ports, IRQ lines, grants. */
  privilegeChecks: boolean;
  /**
   * What the kernel checks of its own data, each check paid for in cycles (kernel/costs.ts).
   * MINIX 3 compiles its kernel asserts in by default and its sanity checks out (COSTS.md §2.3);
   * a Linux-like kernel checks almost nothing of its own tables by default (§2.4).
   */
  kernelChecks: {
    /**
     * MINIX's asserts where it queues processes (kernel/proc.c): enqueue asserts the process is
     * runnable and its queue number is not negative; dequeue and deadlock() assert proc_ptr_ok
     * (the entry's magic) and that the slot is in use. A failed assert panics.
     */
    queueAsserts: boolean;
    /**
     * MINIX's DEBUG_SANITYCHECKS (off by default): every table entry's invariants on every
     * kernel entry (the current process) and every clock tick (all of them, page tables too).
     */
    sanityChecks: boolean;
    /**
     * A guard page below a kernel-mode driver's stack in a kernel address space, so an overflow
     * faults at once (Linux VMAP_STACK, default y since 4.9); without it the stack grows into
     * the kernel heap below it (kernel/module-layout.ts). A private address space has nothing
     * mapped there either way.
     */
    stackGuard: boolean;
  };
  /** What kernel work costs, in cycles (kernel/costs.ts). */
  costs: CostModel;
  /** What the kernel does about code running in supervisor mode (drivers inside the kernel). */
  kernelMode: {
    /** A CPU exception (or exit) in supervisor mode is a kernel panic (an oops in a non-isolated kernel). */
    faultPanics: boolean;
    /** Whether supervisor-mode processes are preempted by the clock (a loop there holds the CPU if not). */
    preemptible: boolean;
    /**
     * Linux's soft-lockup detector: clock ticks a non-preemptible process may hold the CPU
     * without letting the scheduler run before the kernel reports it (0 = off; Linux: 20 s), and
     * whether it then panics (Linux's softlockup_panic) or only warns (Linux's default).
     */
    softLockup: { ticks: number; panic: boolean };
    /**
     * Linux's oops: a CPU exception in a driver running in process context (serving a request)
     * kills that thread of execution (the driver's process here) and the kernel runs on; in
     * interrupt context (an interrupt or a timer it is handling) it panics. Absent: false.
     */
    oops?: boolean;
    /**
     * Nooks' livelock detector: clock ticks a driver in a protection domain may hold the CPU with
     * interrupts on before the isolation manager fails it (and the recovery manager recovers it).
     * A driver handling an interrupt runs with interrupts off: the detector cannot see it. Absent: off.
     */
    livelockTicks?: number;
  };
  /**
   * Who recovers a failed driver. "rs": the reincarnation server watches drivers (heartbeats,
   * if on) and restarts a failed one (if on). "none": no recovery; RS only starts the services
   * and records their deaths (the part of init a monolithic kernel also has). keepState: what a
   * driver published in DS survives its failure, so its next incarnation can read it back
   * (MINIX's stateful recovery through DS); off, RS has DS drop the failed driver's entries.
   */
  recovery:
    | { agent: "rs"; heartbeat: boolean; restart: boolean; keepState: boolean }
    | { agent: "none" }
    /**
     * Nooks' recovery manager: told of a failure by the kernel (exception, wrapper check,
     * livelock), it reloads the driver from its pristine image at once, in its initial state (no
     * heartbeats, nothing of the driver's state kept). `shadow`: a shadow driver per class
     * (OSDI 2004) hides the failure from the driver's clients (see policy.ts clientRecovery).
     */
    | { agent: "nooks"; shadow: boolean }
    /**
     * The driver VM's monitor (LeVasseur et al., OSDI 2004): the VM dies when its DD/OS panics,
     * misses its heartbeats or hangs; the hypervisor reboots it (the DD/OS boots again, the
     * driver in its default state: nothing it kept survives the VM), and the translation modules
     * on the clients' side reissue what was pending. `replay`: they also replay the device's
     * configuration to the rebooted driver (see policy.ts clientRecovery).
     */
    | { agent: "vm"; replay: boolean };
}
