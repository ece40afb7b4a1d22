/*
 * A service-table entry (MINIX /etc/system.conf as data): what a process is and may do. The
 * kernel owns the type because it enforces it (privileges, ports, IRQs) and starts processes
 * from it; each program's entry lives beside the program (a driver's in its driver.json, a
 * server's and a workload's in their modules), and composition assembles them.
 */

export interface ServiceConf {
  label: string;
  /** A guest image (system/drivers/images/<name>.elf) or a native program name. */
  program: { guest: string } | { native: string };
  /** Is it a driver (runs in the build's driver mode) or a server/user program? */
  role: "driver" | "server" | "user";
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
}
