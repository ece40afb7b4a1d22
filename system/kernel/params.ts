/*
 * Kernel limits and the kernel's part of guest physical memory, in one place.
 *
 *   RAM_BASE + 0x0000_0000 +---------------------------+
 *                          | kernel text: idle loop    |  wfi; j .   (run in M-mode)
 *              0x0000_1000 +---------------------------+
 *                          | process table             |  NR_TASKS + NR_PROCS entries of PROC_SIZE
 *              0x0000_4000 +---------------------------+
 *                          | privilege table           |  one entry per process-table slot
 *              0x0000_7000 +---------------------------+
 *                          | scheduler ready queues    |  head/tail per priority
 *              0x0000_8000 +---------------------------+
 *                          | memory allocator          |  free page-table frames, free memory chunks
 *              0x0000_9000 +---------------------------+
 *                          | native run queue          |  native processes ready to run (a ring)
 *              0x0000_A000 +---------------------------+
 *                          | asynchronous messages     |  sent by native processes, not yet received
 *              0x0000_D000 +---------------------------+
 *                          | per-slot boot data        |  boot parameters, IPC targets by label
 *              0x0000_F400 +---------------------------+
 *                          |   (reserved)              |
 *              0x0001_0000 +---------------------------+
 *                          | page-table pool           |  4 KiB frames for Sv32 tables
 *              0x0010_0000 +---------------------------+
 *                          | process memory pool       |  images, stacks, native-process regions
 *                          |          ...              |
 *                          +---------------------------+ RAM end
 *
 * Everything from 0x1000 to the end of the page-table pool is kernel data that a wild write can
 * hit (in the monolithic build all of RAM is mapped into every driver); the kernel reads it
 * from RAM and checks its invariants (check.ts).
 */

export const NR_TASKS = 4; // IDLE, CLOCK, SYSTEM, KERNEL(=HARDWARE): slots -4..-1
export const NR_PROCS = 32; // user-space slots 0..31
export const NR_SLOTS = NR_TASKS + NR_PROCS;
/** Index in the process table of slot s (tasks have negative slots). */
export const slotIndex = (slot: number): number => slot + NR_TASKS;

export const KTEXT_OFF = 0x0000;
export const PROC_TABLE_OFF = 0x1000;
export const PROC_SIZE = 256;
export const PRIV_TABLE_OFF = 0x4000;
export const PRIV_SIZE = 256;
export const SCHED_OFF = 0x7000;
/** The allocators' state (vm.ts, layout.ts ALLOC): free page-table frames and free memory chunks. */
export const ALLOC_OFF = 0x8000;
/** Native processes ready to run (native-runtime.ts): a ring of RUNQ_CAP {index, result} pairs. */
export const RUNQ_OFF = 0x9000;
export const RUNQ_CAP = 256;
/** Asynchronous messages not yet received (ipc.ts sendAsync, MINIX's senda tables): ASYNCQ_CAP entries. */
export const ASYNCQ_OFF = 0xa000;
export const ASYNCQ_CAP = 128;
/** Per process-table slot: its boot parameters and the labels it may send to (SVC layout). */
export const SVC_OFF = 0xd000;
export const PT_POOL_OFF = 0x1_0000;
export const PT_POOL_END = 0x10_0000;
export const PROC_POOL_OFF = 0x10_0000;

/** Scheduling: MINIX has 16 queues, 0 highest; kernel tasks 0, drivers and servers below. */
export const NR_SCHED_QUEUES = 16;
export const TASK_Q = 0;
export const DRIVER_Q = 2;
export const SERVER_Q = 4;
export const USER_Q = 7;
export const IDLE_Q = 15;

/** Clock ticks per second (MINIX default is 60; 100 makes cycle arithmetic simple). */
export const HZ = 100;
/** Default quantum in ticks (MINIX: 200 ms for drivers and servers). */
export const QUANTUM_TICKS = 20;

/** Maximum I/O ranges, IRQ hooks and grant-table entries per process. */
export const NR_IO_RANGE = 8;
export const NR_IRQ_HOOKS = 4;
export const MAX_GRANTS = 1024;

/** Size of a native process's memory region (its message buffers, grant table, data buffers). */
export const NATIVE_MEM_SIZE = 0x4_0000;
