/*
 * A kernel build is data: where drivers run, what they can see, which checks are on and how
 * failures are recovered. The kernel consults these fields; nothing else differs between
 * builds (DESIGN.md principle 4: same binary, many builds).
 */

export interface Build {
  name: string;
  description: string;
  /** Privilege mode of driver processes. */
  driverMode: "user" | "supervisor";
  /**
   * "private": a driver's page table maps only its own image and stack.
   * "kernel": one kernel address space: all of RAM is mapped (read/write) into every driver too.
   */
  driverAddressSpace: "private" | "kernel";
  /** Privilege checks: IPC send mask, kernel-call mask, I/O port ranges, IRQ lines, grants. */
  checks: boolean;
  /** A CPU exception in supervisor mode is a kernel panic (an oops in a non-isolated kernel). */
  supervisorFaultPanics: boolean;
  /** Whether supervisor-mode processes are preempted by the clock (a loop there holds the CPU if not). */
  preemptSupervisor: boolean;
  /**
   * Soft-lockup detector (Linux's watchdog): clock ticks a non-preemptible process may hold
   * the CPU without blocking before the kernel reports the CPU stuck and the system hung; 0 = off.
   */
  softLockupTicks: number;
  /**
   * Recovery: whether RS watches drivers with heartbeats (hang detection), and whether it
   * restarts a failed one. A monolithic kernel has neither.
   */
  recovery: { heartbeat: boolean; restart: boolean };
  /** An IOMMU restricts each device's DMA to its driver's memory. */
  iommu: boolean;
}

/** One entry of the system.conf-like service table: what a process is and may do. */
export interface ServiceConf {
  label: string;
  /** A guest image (system/drivers/images/<name>.elf) or a native program name. */
  program: { guest: string } | { native: string };
  /** Scheduling queue (0 highest). */
  priority: number;
  /** Labels (or kernel tasks "CLOCK", "SYSTEM", "HARDWARE") this process may send to; "*" = all. */
  ipcTo: string[];
  /** Kernel calls allowed, by name without SYS_ (e.g. "DEVIO"); "*" = all. */
  kernelCalls: string[];
  /** I/O port ranges [first, last] the process may access with DEVIO/VDEVIO/SDEVIO. */
  io: Array<[number, number]>;
  /** IRQ lines it may attach to. */
  irqs: number[];
  /** Boot parameters (GET_PARAMS). */
  params?: string;
  /** Native processes: size of their memory region in bytes (default NATIVE_MEM_SIZE). */
  memSize?: number;
  /** Is it a driver (runs in the build's driver mode) or a server/user program? */
  role: "driver" | "server" | "user";
}
