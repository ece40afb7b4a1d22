/*
 * VFS's memory region and the state it keeps there, as MINIX's file server keeps it in its data
 * segment: the globals (parameters, mount state, superblock copy, the request in service, the
 * pending block I/O, the driver), the open-file table (struct filp), the buffer headers (struct
 * buf) and the inode table (struct inode). VFS keeps no host-side copy of any of it: what it
 * decides on it reads here, where a wild write (a bad pointer in a monolithic driver, a stray
 * DMA) may have changed it. Only observations for reports (statistics, the event log) and the
 * requests not yet taken up (the IPC queue, as MINIX's kernel holds its blocked senders) stay
 * host-side (types.ts).
 *
 * The region (ServiceConf.memSize = VFS_MEM_SIZE):
 *
 *   0x0_0000 +----------------------------------+
 *            | inbox, call buffer, grants       |  native runtime (native.ts)
 *   0x0_2000 +----------------------------------+ NATIVE_HEAP = PATH_BUF
 *            | path buffer (VFS.PATH_MAX + 1)   |  long paths copied from the caller's grant
 *   0x0_3000 +----------------------------------+ ZERO_PAGE
 *            | zero page                        |  source of the zeros of a hole, never written
 *   0x0_4000 +----------------------------------+ STAGING
 *            | write staging (VFS.IO_MAX)       |  the data of the WRITE in progress
 *   0x0_8000 +----------------------------------+ GLOBALS
 *            | globals (G)                      |  see G below
 *   0x0_8400 +----------------------------------+ FILP_TABLE
 *            | open files: NR_FDS x 16          |  struct filp (FILP); an fd is an index
 *   0x0_8600 +----------------------------------+ CFILP_TABLE
 *            | their device side: NR_FDS x 16   |  CFILP: which character device, which
 *            |                                  |  incarnation of its driver (cdev.ts)
 *   0x0_8800 +----------------------------------+ CDEV_TABLE
 *            | character devices: NR_CDEVS x 64 |  CDEV: MINIX's dmap for character majors
 *   0x0_8900 +----------------------------------+ SHADOW_TABLE
 *            | shadow logs: NR_CDEVS x 64       |  SHLOG: a device's configuration (shadow.ts)
 *   0x0_8a00 +----------------------------------+
 *            | (unused)                         |
 *   0x0_9000 +----------------------------------+ BUF_TABLE
 *            | buffer headers: MAX_BUFFERS x 16 |  struct buf (BUF); header i describes buffer i
 *   0x0_a000 +----------------------------------+ INODE_TABLE
 *            | inode table: NR_INODES x 80      |  struct inode (INODE)
 *   0x0_b400 +----------------------------------+
 *            | (unused)                         |
 *   0x0_c000 +----------------------------------+ CACHE_BASE
 *            | buffer cache: nbuf x 4 KiB       |  buffer i at CACHE_BASE + i * 4096
 *  0x10_0000 +----------------------------------+ VFS_MEM_SIZE
 *
 * Every field is a little-endian 32-bit word (int32) unless noted. A value read here is data a
 * wild write may have made anything: indices (buffer slots, fds, grant ids) are range-checked
 * before use, walks are bounded by the tables' fixed sizes, and an unknown enum value takes the
 * path a C `if (x == A) ... else if (x == B) ... else` would.
 */
import { NATIVE_HEAP, NATIVE_MAX_GRANTS } from "../../kernel/native.js";
import { BLOCK_SIZE, decodeInode, encodeInode, INODE_SIZE, type Inode, type Superblock } from "./fsformat.js";

export const PATH_BUF = NATIVE_HEAP;
export const ZERO_PAGE = 0x3000;
export const STAGING = 0x4000;
export const GLOBALS = 0x8000;
export const FILP_TABLE = 0x8400;
export const CFILP_TABLE = 0x8600;
export const CDEV_TABLE = 0x8800;
export const SHADOW_TABLE = 0x8900;
export const BUF_TABLE = 0x9000;
export const INODE_TABLE = 0xa000;
export const CACHE_BASE = 0xc000;
/** 1 MiB: the size every campaign so far ran VFS with. */
export const VFS_MEM_SIZE = 0x10_0000;
/** Buffers that fit in VFS_MEM_SIZE (their headers fit below INODE_TABLE). */
export const MAX_BUFFERS = (VFS_MEM_SIZE - CACHE_BASE) / BLOCK_SIZE;
/**
 * Fewest buffers: every block one request touches must fit at once — a WRITE of VFS.IO_MAX
 * bytes at an odd offset touches 5 data blocks, the indirect block, its inode's block, the
 * superblock and the block bitmap; a CREATE two directories' inode and entry blocks, the inode
 * bitmap, the superblock, the new inode's block.
 */
export const MIN_BUFFERS = 16;
/** Open files (the system-wide file table). */
export const NR_FDS = 32;
/** Inodes held in memory: every open file's, plus a path walk's and a create's few. */
export const NR_INODES = 64;

/** The globals (offsets from GLOBALS). */
export const G = {
  nbuf: 0, // buffers in use (parameter buffers=); read clamped to MAX_BUFFERS
  waitTicks: 4, // how long to wait for the driver's announcement (parameter wait=)
  mount: 8, // MOUNT_*
  bufClock: 12, // LRU clock of the buffer cache (u32): BUF.lastUse of the latest use
  inoClock: 16, // LRU clock of the inode table (u32)
  ioSeq: 20, // id of the last BDEV request sent
  inFlight: 24, // IN_*: what VFS is blocked in sendrec for
  // The pending block I/O (MINIX libbdev's request): the current request waits for it.
  ioKind: 32, // IO_*
  ioBlock: 36, // block number on the device
  ioSlot: 40, // buffer read into / written from
  ioTries: 44, // driver failures it met (give up at MAX_DRIVER_TRIES)
  ioGrant: 48, // grant on the buffer for the driver while in flight, -1 otherwise
  ioId: 52, // request id sent in the BDEV message
  // The disk driver (libbdev's driver table entry).
  drvEndpoint: 64, // from its last announcement, NONE when unknown or lost
  drvStatus: 68, // DRV_*
  drvOpened: 72, // BDEV_OPEN done on this endpoint (bool)
  drvDeadline: 76, // tick at which a wait turns into failed, -1 when not waiting
  drvRecovering: 80, // a failure was seen, not reopened since (bool)
  drvLabel: 96, // LABEL_MAX bytes, NUL-padded
  sb: 128, // the mounted superblock: SUPER_WORDS words in the on-disk order (fsformat.ts)
  // The request in service (MINIX fs_m_in): taken from the queue, run until it completes.
  reqActive: 192, // a request is in service (bool)
  reqFrom: 196, // caller's endpoint (NONE: VFS's own mount)
  reqType: 200,
  reqStaged: 204, // WRITE: the caller's data is in STAGING (bool)
  reqRuns: 208, // runs so far
  reqMsg: 256, // the 64-byte request message
  // Character devices (cdev.ts): how many are configured, and the CDEV request in flight.
  cdevCount: 320, // devices in CDEV_TABLE (parameter cdev=); read clamped to NR_CDEVS
  cdevSeq: 324, // id of the last CDEV request sent
  cdevFd: 328, // the open file the request in flight is for (-1: an open, no fd yet)
  cdevDev: 332, // the device it went to
  cdevGrant: 336, // grant on STAGING for the driver while in flight, -1 otherwise
  cdevId: 340, // its id
  // How VFS meets a driver that failed (servers/recovery-mode.ts; 0, minix, leaves all below zero).
  recovery: 344, // MODE_* (parameter recovery=)
  // The character shadow (shadow.ts), active while it holds the request in service.
  shState: 348, // SH_*
  shDev: 352, // the device it recovers
  shStep: 356, // the open file (SH_OPENING) or log entry (SH_CONFIG) being replayed
  shTries: 360, // driver failures met in this recovery (give up at MAX_DRIVER_TRIES)
  shDeadline: 364, // tick at which the wait for the driver ends (SH_WAITING), -1 otherwise
  shId: 368, // id of the replayed request in flight
} as const;
export const GLOBALS_SIZE = 0x400;
export const LABEL_MAX = 32;
export const SUPER_WORDS = 14;

export const MOUNT_PENDING = 0;
export const MOUNTED = 1;
export const MOUNT_BAD = 2;
export const IN_NONE = 0;
export const IN_IO = 1;
export const IN_OPEN = 2;
export const IN_CDEV = 3;
export const IN_SHADOW = 4; // a request the shadow replays (reopen, ioctl)
export const IN_HELD = 5; // no sendrec: the shadow holds the request in service until the driver is back
export const IO_NONE = 0;
export const IO_READ = 1;
export const IO_WRITE = 2;
/** up: announced, usable; waiting: for its announcement until the deadline; failed: the wait expired or the I/O gave up. */
export const DRV_UP = 1;
export const DRV_WAITING = 2;
export const DRV_FAILED = 3;

/** An open file, MINIX struct filp (16 bytes). */
export const FILP = {
  count: 0, // 0: free
  ino: 4,
  pos: 8, // file offset (u32)
  owner: 12, // endpoint of the process that opened it
} as const;
export const FILP_SIZE = 16;

/**
 * The character-device side of an open file (16 bytes, entry fd of CFILP_TABLE): zero for a file
 * of the file system.
 */
export const CFILP = {
  dev: 0, // character device index + 1; 0: not a device
  minor: 4,
  gen: 8, // the device's CDEV.gen when opened: another value means its driver has died since
} as const;
export const CFILP_SIZE = 16;

/** A character device (64 bytes, MINIX's dmap entry): its device file, driver and state. */
export const CDEV = {
  endpoint: 0, // the driver's endpoint from its last announcement, NONE when down or unknown
  gen: 4, // incarnation counter: bumped whenever the driver is found dead or announced anew
  lost: 8, // shadow mode: the driver failed (or came back) since the shadow last replayed (bool; gen stays)
  node: 16, // device file name, /dev/<node> (16 bytes, NUL-padded)
  label: 32, // the driver's label (LABEL_MAX bytes, NUL-padded)
} as const;
export const CDEV_SIZE = 64;
export const NR_CDEVS = 4;
export const CDEV_NODE_MAX = 16;

/**
 * The shadow's log of a character device (64 bytes, entry d of SHADOW_TABLE; shadow.ts): the
 * configuration ioctls its driver accepted, the last argument of each, in the order first set.
 */
export const SHLOG = {
  count: 0, // entries in use; read clamped to SHLOG_ENTRIES
  entries: 4, // SHLOG_ENTRIES x { request, arg }
} as const;
export const SHLOG_SIZE = 64;
export const SHLOG_ENTRIES = 6;
/** Shadow states (G.shState). */
export const SH_PASSIVE = 0;
export const SH_WAITING = 1; // for the driver's announcement, until G.shDeadline
export const SH_OPENING = 2; // CDEV_OPEN of an open file in flight
export const SH_CONFIG = 3; // a logged ioctl in flight

/** A buffer header, MINIX struct buf (16 bytes). */
export const BUF = {
  blocknr: 0, // block held, -1 (any negative value): free
  flags: 4, // BUF_DIRTY
  lastUse: 8, // value of G.bufClock at the last use (u32, LRU)
  count: 12, // 1 while the buffer is granted to the driver for an I/O (not reusable)
} as const;
export const BUF_SIZE = 16;
export const BUF_DIRTY = 1;

/**
 * An in-memory inode, MINIX struct inode (80 bytes): the disk inode (INODE_SIZE bytes, the
 * on-disk layout of fsformat.ts) and the table's own fields. No i_dirt: the table writes
 * through to the inode's block (inodes.ts), whose buffer carries the dirty flag.
 */
export const INODE = {
  disk: 0,
  num: 64, // inode number, 0: free
  count: 68, // open files referring to it (not evicted while > 0)
  lastUse: 72, // value of G.inoClock at the last use (u32, LRU)
} as const;
export const INODE_ENTRY_SIZE = 80;

const check = (what: string, end: number, limit: number): void => {
  if (end > limit) throw new Error(`VFS layout: ${what} overlaps what follows`);
};
check("globals", GLOBALS + GLOBALS_SIZE, FILP_TABLE);
check("reqMsg", G.reqMsg + 64, GLOBALS_SIZE);
check("sb", G.sb + 4 * SUPER_WORDS, G.reqActive);
check("file table", FILP_TABLE + NR_FDS * FILP_SIZE, CFILP_TABLE);
check("device side of the file table", CFILP_TABLE + NR_FDS * CFILP_SIZE, CDEV_TABLE);
check("cdev globals", G.cdevId + 4, G.recovery);
check("shadow globals", G.shId + 4, GLOBALS_SIZE);
check("character devices' labels", CDEV.label + LABEL_MAX, CDEV_SIZE);
check("character devices", CDEV_TABLE + NR_CDEVS * CDEV_SIZE, SHADOW_TABLE);
check("shadow log", SHLOG.entries + 8 * SHLOG_ENTRIES, SHLOG_SIZE);
check("shadow logs", SHADOW_TABLE + NR_CDEVS * SHLOG_SIZE, BUF_TABLE);
check("buffer headers", BUF_TABLE + MAX_BUFFERS * BUF_SIZE, INODE_TABLE);
check("inode table", INODE_TABLE + NR_INODES * INODE_ENTRY_SIZE, CACHE_BASE);
check("inode", INODE_SIZE, INODE.num);

/** Block I/O on the region: what a cache transaction needs (native API-compatible). */
export interface Memory {
  write(va: number, data: Uint8Array): void;
  view(va: number, len: number): Uint8Array;
}

/**
 * Typed access to VFS's region: word accessors per table (a shift and an index: no allocation),
 * and the few fields that are not words. One per region, reused across handler runs (vfsMem).
 */
export class VfsMem implements Memory {
  readonly i32: Int32Array;

  constructor(readonly u8: Uint8Array) {
    this.i32 = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
  }

  g(field: number): number {
    return this.i32[(GLOBALS + field) >> 2];
  }
  setG(field: number, v: number): void {
    this.i32[(GLOBALS + field) >> 2] = v;
  }

  /** Buffers in use, as a bound for every walk over the headers. */
  nbuf(): number {
    const n = this.i32[(GLOBALS + G.nbuf) >> 2];
    return n < 0 ? 0 : n > MAX_BUFFERS ? MAX_BUFFERS : n;
  }
  /** Whether `slot` (a value that came from RAM) names a buffer in use. */
  isSlot(slot: number): boolean {
    return slot >= 0 && slot < this.nbuf();
  }
  buf(slot: number, field: number): number {
    return this.i32[(BUF_TABLE + slot * BUF_SIZE + field) >> 2];
  }
  setBuf(slot: number, field: number, v: number): void {
    this.i32[(BUF_TABLE + slot * BUF_SIZE + field) >> 2] = v;
  }

  cfilp(fd: number, field: number): number {
    return this.i32[(CFILP_TABLE + fd * CFILP_SIZE + field) >> 2];
  }
  setCfilp(fd: number, field: number, v: number): void {
    this.i32[(CFILP_TABLE + fd * CFILP_SIZE + field) >> 2] = v;
  }
  /** Devices configured, as a bound for every walk over the device table. */
  ncdev(): number {
    const n = this.i32[(GLOBALS + G.cdevCount) >> 2];
    return n < 0 ? 0 : n > NR_CDEVS ? NR_CDEVS : n;
  }
  cdev(d: number, field: number): number {
    return this.i32[(CDEV_TABLE + d * CDEV_SIZE + field) >> 2];
  }
  setCdev(d: number, field: number, v: number): void {
    this.i32[(CDEV_TABLE + d * CDEV_SIZE + field) >> 2] = v;
  }
  /** The label of device d's driver. */
  cdevLabel(d: number): string {
    return this.text(CDEV_TABLE + d * CDEV_SIZE + CDEV.label, LABEL_MAX);
  }
  /** Word `at` (a byte offset) of device d's shadow log. */
  shlog(d: number, at: number): number {
    return this.i32[(SHADOW_TABLE + d * SHLOG_SIZE + at) >> 2];
  }
  setShlog(d: number, at: number, v: number): void {
    this.i32[(SHADOW_TABLE + d * SHLOG_SIZE + at) >> 2] = v;
  }
  /** A NUL-padded ASCII field of `size` bytes at `at`. */
  text(at: number, size: number): string {
    let s = "";
    for (let i = 0; i < size && this.u8[at + i]; i++) s += String.fromCharCode(this.u8[at + i]);
    return s;
  }
  setText(at: number, size: number, text: string): void {
    for (let i = 0; i < size; i++) this.u8[at + i] = i < text.length && i < size - 1 ? text.charCodeAt(i) & 0x7f : 0;
  }

  filp(fd: number, field: number): number {
    return this.i32[(FILP_TABLE + fd * FILP_SIZE + field) >> 2];
  }
  setFilp(fd: number, field: number, v: number): void {
    this.i32[(FILP_TABLE + fd * FILP_SIZE + field) >> 2] = v;
  }

  inode(i: number, field: number): number {
    return this.i32[(INODE_TABLE + i * INODE_ENTRY_SIZE + field) >> 2];
  }
  setInode(i: number, field: number, v: number): void {
    this.i32[(INODE_TABLE + i * INODE_ENTRY_SIZE + field) >> 2] = v;
  }
  /** The disk-inode part of inode-table entry i, decoded (a new object the caller may change). */
  inodeDisk(i: number): Inode {
    return decodeInode(this.u8, INODE_TABLE + i * INODE_ENTRY_SIZE + INODE.disk);
  }
  setInodeDisk(i: number, inode: Inode): void {
    encodeInode(inode, this.u8, INODE_TABLE + i * INODE_ENTRY_SIZE + INODE.disk);
  }

  /** The superblock copy (geometry the FS operations use), decoded. */
  superblock(): Superblock {
    const w = (i: number): number => this.i32[(GLOBALS + G.sb + 4 * i) >> 2] >>> 0;
    return {
      magic: w(0), version: w(1), blockSize: w(2), totalBlocks: w(3), inodeCount: w(4), inodeMapStart: w(5), inodeMapBlocks: w(6),
      blockMapStart: w(7), blockMapBlocks: w(8), inodeTableStart: w(9), inodeTableBlocks: w(10), dataStart: w(11), freeBlocks: w(12),
      freeInodes: w(13),
    };
  }
  setSuperblock(sb: Superblock): void {
    const words = [
      sb.magic, sb.version, sb.blockSize, sb.totalBlocks, sb.inodeCount, sb.inodeMapStart, sb.inodeMapBlocks, sb.blockMapStart,
      sb.blockMapBlocks, sb.inodeTableStart, sb.inodeTableBlocks, sb.dataStart, sb.freeBlocks, sb.freeInodes,
    ];
    words.forEach((v, i) => (this.i32[(GLOBALS + G.sb + 4 * i) >> 2] = v));
  }

  /** The disk driver's label (printable ASCII up to the first NUL). */
  label(): string {
    return this.text(GLOBALS + G.drvLabel, LABEL_MAX);
  }
  setLabel(label: string): void {
    this.setText(GLOBALS + G.drvLabel, LABEL_MAX, label);
  }

  /** The request message in service, in place (valid during this handler run). */
  reqMsg(): Uint8Array {
    return this.u8.subarray(GLOBALS + G.reqMsg, GLOBALS + G.reqMsg + 64);
  }

  write(va: number, data: Uint8Array): void {
    this.u8.set(data, va);
  }
  view(va: number, len: number): Uint8Array {
    return this.u8.subarray(va, va + len);
  }
}

/** Frees open-file entry `fd` (all its words zero, as at start). */
export function clearFilp(m: VfsMem, fd: number): void {
  m.setFilp(fd, FILP.count, 0);
  m.setFilp(fd, FILP.ino, 0);
  m.setFilp(fd, FILP.pos, 0);
  m.setFilp(fd, FILP.owner, 0);
  m.setCfilp(fd, CFILP.dev, 0);
  m.setCfilp(fd, CFILP.minor, 0);
  m.setCfilp(fd, CFILP.gen, 0);
}

/** The grant id `g` read from RAM names an entry of VFS's grant table. */
export const isGrant = (g: number): boolean => g >= 0 && g < NATIVE_MAX_GRANTS;

/** VfsMems by RAM buffer and region offset: a handler run finds its region's without allocating one. */
const mems = new WeakMap<ArrayBufferLike, Map<number, VfsMem>>();

/** The accessor of the region `region` (VFS's whole memory, e.g. k.view(0, VFS_MEM_SIZE)). */
export function regionMem(region: Uint8Array): VfsMem {
  let byOffset = mems.get(region.buffer);
  if (!byOffset) mems.set(region.buffer, (byOffset = new Map()));
  let m = byOffset.get(region.byteOffset);
  if (!m || m.u8.byteLength !== region.byteLength) byOffset.set(region.byteOffset, (m = new VfsMem(region)));
  return m;
}

/** The accessor of the running VFS's own region. */
export const vfsMem = (k: { view(va: number, len: number): Uint8Array }): VfsMem => regionMem(k.view(0, VFS_MEM_SIZE));
