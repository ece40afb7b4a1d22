/*
 * VFS's state (plain data, DESIGN.md principle 1) and its memory map. Who changes what:
 * vfs.ts the queue and the current request, requests.ts the open files, cache.ts the buffer
 * metadata, bdev.ts the driver, the I/O in flight and the recovery counters.
 *
 * VFS's memory region (ServiceConf.memSize, VFS_MEM_SIZE by default):
 *
 *   0x0_0000 +------------------------------+
 *            | inbox, call buffer, grants   |  native runtime (native.ts)
 *   0x0_2000 +------------------------------+ NATIVE_HEAP
 *            | path buffer (VFS.PATH_MAX+1) |  long paths copied from the caller's grant
 *   0x0_3000 +------------------------------+
 *            | zero page                    |  source of the zeros of a hole, never written
 *   0x0_4000 +------------------------------+
 *            | write staging (VFS.IO_MAX)   |  the data of the WRITE in progress
 *   0x0_8000 +------------------------------+
 *            | buffer cache: nbuf × 4 KiB   |  buffer i at CACHE_BASE + i * 4096
 *            +------------------------------+
 */
import { NATIVE_HEAP } from "../../kernel/native.js";
import type { Superblock } from "./fsformat.js";

export const PATH_BUF = NATIVE_HEAP;
export const ZERO_PAGE = 0x3000;
export const STAGING = 0x4000;
export const CACHE_BASE = 0x8000;
/** 1 MiB: the size every campaign so far ran VFS with. */
export const VFS_MEM_SIZE = 0x10_0000;
/** Buffers that fit in VFS_MEM_SIZE. */
export const MAX_BUFFERS = (VFS_MEM_SIZE - CACHE_BASE) / 4096;
/**
 * Fewest buffers: every block one request touches must fit at once — a WRITE of VFS.IO_MAX
 * bytes at an odd offset touches 5 data blocks, the indirect block, its inode's block, the
 * superblock and the block bitmap; a CREATE two directories' inode and entry blocks, the inode
 * bitmap, the superblock, the new inode's block.
 */
export const MIN_BUFFERS = 16;

/** Open files (the system-wide file table; fds are indices). */
export const NR_FDS = 32;
/** MINIX libbdev: a request is retried on at most this many driver failures. */
export const MAX_DRIVER_TRIES = 10;

/** Buffer-cache metadata, one entry per buffer (parallel arrays). */
export interface CacheState {
  /** Block held (-1: free). */
  block: number[];
  /** Changed since read or last written. */
  dirty: boolean[];
  /** Value of `clock` at the last use (LRU). */
  lastUse: number[];
  clock: number;
}

/** A request from a user process, or VFS's own mount at start (from NONE). */
export interface VfsRequest {
  from: number;
  type: number;
  /** The 64-byte request message. */
  msg: number[];
  /** WRITE: the caller's data is in STAGING (copied once, then reused by every rerun). */
  staged: boolean;
  /** Runs of the request so far (1 + restarts after a cache miss). */
  runs: number;
}

export interface OpenFile {
  ino: number;
  offset: number;
  /** Endpoint of the process that opened it. */
  owner: number;
}

/** The block I/O the current request waits for: read a block into a buffer, or write one back. */
export interface PendingIo {
  kind: "read" | "write";
  block: number;
  slot: number;
  /** Driver failures this I/O has met (MINIX: give up after MAX_DRIVER_TRIES). */
  tries: number;
  /** Grant on the buffer for the driver while the I/O is in flight; -1 otherwise. */
  grant: number;
  /** Request id sent in the BDEV message. */
  id: number;
}

export interface DriverState {
  label: string;
  /** Endpoint from the last announcement (NONE when unknown or lost). */
  endpoint: number;
  /**
   * up: announced, usable; waiting: lost (or not yet announced), waiting for "drv.blk.<label>"
   * until `deadline`; failed: the wait expired — requests that need the disk get EIO until the
   * driver announces itself again.
   */
  status: "up" | "waiting" | "failed";
  /** BDEV_OPEN done on this endpoint. */
  opened: boolean;
  /** Tick at which waiting turns into failed; -1 when not waiting. */
  deadline: number;
  /** A failure was seen and the driver has not been reopened since. */
  recovering: boolean;
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
}

export interface VfsState {
  /** Parameters: driver label, buffers, wait for the driver (ticks). */
  nbuf: number;
  waitTicks: number;
  mount: "pending" | "mounted" | "bad";
  sb: Superblock | null;
  cache: CacheState;
  fds: Array<OpenFile | null>;
  /** Requests waiting behind `current`, in arrival order. */
  queue: VfsRequest[];
  current: VfsRequest | null;
  io: PendingIo | null;
  /** What we are blocked in sendrec for: a block I/O, a BDEV_OPEN, or nothing. */
  inFlight: "io" | "open" | null;
  driver: DriverState;
  ioSeq: number;
  stats: VfsStats;
  /** What happened to the driver and the disk, for reports (at: cycle). */
  log: Array<{ at: number; what: string }>;
}
