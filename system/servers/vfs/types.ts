/*
 * VFS's host-side state (plain data, DESIGN.md principle 1) and its limits. Everything VFS
 * decides on lies in its memory region (memory.ts: the buffer headers, the inode table, the
 * open files, the superblock copy, the mount state, the request in service, the pending I/O, the
 * driver). What stays here:
 *   - the requests received but not yet taken up (`queue`): in MINIX they wait in the kernel,
 *     their senders blocked in SENDREC, as bulkhead's kernel also keeps undelivered messages
 *     host-side; VFS takes one at a time into its RAM (memory.ts G.req*);
 *   - statistics and the event log: observations the harness and reports read, not state VFS
 *     decides on (the log is bounded, note() in bdev.ts).
 */

/** MINIX libbdev: a request is retried on at most this many driver failures. */
export const MAX_DRIVER_TRIES = 10;

/** A request from a user process, waiting to be taken up. */
export interface VfsRequest {
  from: number;
  type: number;
  /** The 64-byte request message. */
  msg: number[];
}

export interface VfsStats {
  requests: number;
  /** Replies with an error status, by error name. */
  errors: Record<string, number>;
  runs: number;
  blockReads: number;
  blockWrites: number;
  /** Dirty buffers written back to make room. */
  evictions: number;
  /** Block I/Os or opens that failed because the driver died or was missing. */
  driverFailures: number;
  /** Block I/Os sent again after a driver failure. */
  retries: number;
  /** Driver reopened (BDEV_OPEN) after a failure: a recovery. */
  recoveries: number;
  /** Waits for the driver that expired without an announcement. */
  recoveryTimeouts: number;
  /** I/Os given up after MAX_DRIVER_TRIES failures. */
  triesExhausted: number;
  /** Requests answered EIO because the disk could not be reached (driver failure, I/O error, bad FS). */
  eio: number;
  /** BDEV replies with an error or a short count. */
  ioErrors: number;
  // The counters of the Nooks modes (servers/recovery-mode.ts) appear at their first count: a
  // minix-mode VFS's state, hashed with the system's, is what it was before they existed.
  /** recovery=restart: block I/Os failed with their driver instead of reissued. */
  failedInFlight?: number;
  /** recovery=shadow, character devices (shadow.ts): recoveries completed (request sent again to the new driver). */
  shadowRecoveries?: number;
  /** Calls the character shadow replayed to a new driver: reopens and logged ioctls. */
  shadowReplayed?: number;
  /** Held requests sent again to a new driver. */
  shadowReissued?: number;
  /** Character recoveries given up (wait expired, tries exhausted, a reopen refused): MINIX semantics then. */
  shadowFailures?: number;
}

export interface VfsState {
  /** Requests waiting behind the one in service, in arrival order. */
  queue: VfsRequest[];
  stats: VfsStats;
  /** What happened to the driver and the disk, for reports (at: cycle). */
  log: Array<{ at: number; what: string }>;
}
