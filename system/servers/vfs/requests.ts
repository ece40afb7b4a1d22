/*
 * VFS request handlers, one doX per request type, as MINIX servers write them: copy the
 * arguments in, look up, act through the file-system operations (fsops.ts) on the cache
 * transaction, and say what to reply. runRequest() runs one request once against the cache:
 * either it completes (the transaction commits, then `after` does the effects outside the FS:
 * the open-file table, copies to the caller), or it names the block I/O it needs first and has
 * changed nothing — VFS does the I/O and runs it again from the start. The request in service,
 * the open-file table, the superblock copy and the mount state are read from VFS's RAM
 * (memory.ts) at every run.
 */
import { EAGAIN, EINVAL, EIO, ENOSYS, OK, VFS, VFS_MSG } from "../../kernel/abi.js";
import { get32, getString } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { bufAddr, CacheTx, dirtySlots, ioFor, slotOf, type CacheIo } from "./cache.js";
import { decodeSuper, superProblem, T_DIR, T_FILE } from "./fsformat.js";
import { fileReadMap, fileWriteMap, getInode, makeDir, makeFile, MISS, namei, type Fs } from "./fsops.js";
import { note } from "./bdev.js";
import { countRef, InodeTx } from "./inodes.js";
import {
  BUF, clearFilp, FILP, G, GLOBALS, MOUNT_BAD, MOUNTED, NR_FDS, PATH_BUF, STAGING, ZERO_PAGE, type VfsMem,
} from "./memory.js";
import type { VfsRequest, VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

/** VFS's own first request: mount the file system (read the superblock). Never replied. */
export const MOUNT = -1;

/** What a handler decided: reply `status` (after running `after`, whose result replaces it), or do an I/O first. */
type Outcome = { status: number; size?: number; ftype?: number; after?: () => number } | { io: CacheIo };

export type RunResult = { done: true; status: number; size: number; ftype: number } | { done: false; io: CacheIo | undefined };

type Handler = (k: Api, m: VfsMem, fs: Fs, tx: CacheTx) => Outcome;

const HANDLERS: Record<number, Handler> = {
  [MOUNT]: () => ({ status: OK }),
  [VFS.MKDIR]: doMkdir,
  [VFS.CREATE]: doCreate,
  [VFS.OPEN]: doOpen,
  [VFS.WRITE]: doWrite,
  [VFS.READ]: doRead,
  [VFS.CLOSE]: doClose,
  [VFS.SYNC]: doSync,
  [VFS.STAT]: doStat,
};

/** Makes `req` the request in service (MINIX: the message VFS received into fs_m_in). */
export function takeUp(m: VfsMem, req: VfsRequest | { from: number; type: number; msg?: undefined }): void {
  m.setG(G.reqActive, 1);
  m.setG(G.reqFrom, req.from);
  m.setG(G.reqType, req.type);
  m.setG(G.reqStaged, 0);
  m.setG(G.reqRuns, 0);
  const msg = m.reqMsg();
  if (req.msg) msg.set(req.msg);
  else msg.fill(0);
}

/** Runs the request in service once against the cache (mounting first if needed). */
export function runRequest(k: Api, m: VfsMem): RunResult {
  k.state.stats.runs++;
  m.setG(G.reqRuns, (m.g(G.reqRuns) + 1) | 0);
  const tx = new CacheTx(m);
  const mounted = mount(k, m, tx);
  if (mounted === MISS) return { done: false, io: ioFor(m, tx.touched, tx.missing) };
  if (mounted < 0) return { done: true, status: mounted, size: 0, ftype: 0 };
  const handler = HANDLERS[m.g(G.reqType)];
  if (!handler) return { done: true, status: -ENOSYS, size: 0, ftype: 0 };
  const inodes = new InodeTx(m);
  const out = handler(k, m, { b: tx, sb: m.superblock(), inodes }, tx);
  if ("io" in out) return { done: false, io: out.io };
  if (out.status === MISS) return { done: false, io: ioFor(m, tx.touched, tx.missing) };
  const c = tx.commit();
  if (!c.ok) return { done: false, io: c.io };
  inodes.commit();
  const status = out.status < 0 || !out.after ? out.status : out.after();
  return { done: true, status, size: out.size ?? 0, ftype: out.ftype ?? 0 };
}

/** Reads the superblock when not mounted yet: OK, MISS, or -EIO for a bad file system. */
function mount(k: Api, m: VfsMem, tx: CacheTx): number {
  const state = m.g(G.mount);
  if (state === MOUNT_BAD) return -EIO;
  if (state === MOUNTED) return OK;
  const b = tx.read(0);
  if (!b) return MISS;
  const sb = decodeSuper(b);
  const bad = superProblem(sb, sb.totalBlocks);
  if (bad) {
    m.setG(G.mount, MOUNT_BAD);
    k.log(`cannot mount: ${bad}; every request gets EIO`);
    note(k, `mount failed: ${bad}`);
    return -EIO;
  }
  m.setSuperblock(sb);
  m.setG(G.mount, MOUNTED);
  note(k, `mounted: ${sb.totalBlocks} blocks, ${sb.inodeCount} inodes, ${sb.freeBlocks} blocks free`);
  return OK;
}

/** Field `off` of the request message in service. */
const field = (m: VfsMem, off: number): number => get32(m.u8, GLOBALS + G.reqMsg + off);

/** The path of a path request: inline in the message, or through the caller's grant when long. */
export function pathOf(k: Api, m: VfsMem): string | number {
  const len = field(m, VFS_MSG.request.pathLen);
  if (len < VFS.PATH_INLINE) return getString(m.u8, GLOBALS + G.reqMsg + VFS_MSG.request.path, VFS.PATH_INLINE);
  if (len > VFS.PATH_MAX) return -EINVAL;
  const r = k.safecopyFrom(m.g(G.reqFrom), field(m, VFS_MSG.request.pathGrant), 0, PATH_BUF, len);
  if (r < 0) return r;
  return String.fromCharCode(...m.view(PATH_BUF, len));
}

/** The lowest free entry of the open-file table, or -1. */
export function freeFd(m: VfsMem): number {
  for (let fd = 0; fd < NR_FDS; fd++) if (m.filp(fd, FILP.count) === 0) return fd;
  return -1;
}

/** Takes the lowest free entry of the open-file table for the caller, open on `ino` at offset 0: the fd, or -EAGAIN. */
export function claimFd(m: VfsMem, ino: number): number {
  const fd = freeFd(m);
  if (fd < 0) return -EAGAIN;
  m.setFilp(fd, FILP.count, 1);
  m.setFilp(fd, FILP.ino, ino);
  m.setFilp(fd, FILP.pos, 0);
  m.setFilp(fd, FILP.owner, m.g(G.reqFrom));
  return fd;
}

/** The open file `fd` of the caller, or undefined. */
function fileOf(m: VfsMem): { fd: number; ino: number; offset: number } | undefined {
  const fd = field(m, VFS_MSG.request.fd);
  if (fd < 0 || fd >= NR_FDS || m.filp(fd, FILP.count) === 0 || m.filp(fd, FILP.owner) !== m.g(G.reqFrom)) return undefined;
  return { fd, ino: m.filp(fd, FILP.ino), offset: m.filp(fd, FILP.pos) >>> 0 };
}

/** An `after` that opens inode `ino` for the caller; its result is the fd. */
const opener = (m: VfsMem, ino: number) => (): number => {
  const fd = claimFd(m, ino);
  if (fd >= 0) countRef(m, ino, 1);
  return fd;
};

function doMkdir(k: Api, m: VfsMem, fs: Fs): Outcome {
  const path = pathOf(k, m);
  if (typeof path === "number") return { status: path };
  const ino = makeDir(fs, path);
  return { status: ino < 0 ? ino : OK };
}

function doCreate(k: Api, m: VfsMem, fs: Fs): Outcome {
  const path = pathOf(k, m);
  if (typeof path === "number") return { status: path };
  if (freeFd(m) < 0) return { status: -EAGAIN };
  const ino = makeFile(fs, path);
  return ino < 0 ? { status: ino } : { status: OK, after: opener(m, ino) };
}

function doOpen(k: Api, m: VfsMem, fs: Fs): Outcome {
  const path = pathOf(k, m);
  if (typeof path === "number") return { status: path };
  if (freeFd(m) < 0) return { status: -EAGAIN };
  const ino = namei(fs, path);
  if (ino < 0) return { status: ino };
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return { status: inode };
  return inode.type !== T_FILE ? { status: -EINVAL } : { status: OK, after: opener(m, ino) };
}

function doWrite(k: Api, m: VfsMem, fs: Fs, tx: CacheTx): Outcome {
  const f = fileOf(m);
  if (!f) return { status: -EINVAL };
  const n = Math.min(Math.max(field(m, VFS_MSG.request.bytes), 0), VFS.IO_MAX);
  if (n === 0) return { status: 0 };
  if (!m.g(G.reqStaged)) {
    const r = k.safecopyFrom(m.g(G.reqFrom), field(m, VFS_MSG.request.grant), 0, STAGING, n);
    if (r < 0) return { status: r };
    m.setG(G.reqStaged, 1);
  }
  const segs = fileWriteMap(fs, f.ino, f.offset, n);
  if (typeof segs === "number") return { status: segs };
  const data = m.view(STAGING, n);
  for (const seg of segs) {
    const b = tx.read(seg.block);
    if (!b) return { status: MISS };
    b.set(data.subarray(seg.at, seg.at + seg.len), seg.off);
    tx.write(seg.block, b);
  }
  return { status: n, after: () => advance(m, f.fd, n) };
}

function doRead(k: Api, m: VfsMem, fs: Fs): Outcome {
  const f = fileOf(m);
  if (!f) return { status: -EINVAL };
  const n = Math.min(Math.max(field(m, VFS_MSG.request.bytes), 0), VFS.IO_MAX);
  const segs = fileReadMap(fs, f.ino, f.offset, n);
  if (typeof segs === "number") return { status: segs };
  const from = m.g(G.reqFrom);
  const grant = field(m, VFS_MSG.request.grant);
  const total = segs.reduce((t, sg) => t + sg.len, 0);
  const after = (): number => {
    for (const sg of segs) {
      const slot = sg.block ? slotOf(m, sg.block) : -1;
      if (sg.block && slot < 0) return -EIO;
      const r = k.safecopyTo(from, grant, sg.at, sg.block ? bufAddr(slot) + sg.off : ZERO_PAGE, sg.len);
      if (r < 0) return r;
    }
    return advance(m, f.fd, total);
  };
  return { status: total, after };
}

function advance(m: VfsMem, fd: number, n: number): number {
  m.setFilp(fd, FILP.pos, (m.filp(fd, FILP.pos) + n) | 0);
  return n;
}

function doClose(_k: Api, m: VfsMem): Outcome {
  const f = fileOf(m);
  if (!f) return { status: -EINVAL };
  const after = (): number => {
    countRef(m, f.ino, -1);
    clearFilp(m, f.fd);
    return OK;
  };
  return { status: OK, after };
}

/** SYNC: one dirty buffer written per run, until none is left. */
function doSync(_k: Api, m: VfsMem): Outcome {
  const dirty = dirtySlots(m);
  return dirty.length ? { io: { kind: "write", block: m.buf(dirty[0], BUF.blocknr), slot: dirty[0] } } : { status: OK };
}

function doStat(k: Api, m: VfsMem, fs: Fs): Outcome {
  const path = pathOf(k, m);
  if (typeof path === "number") return { status: path };
  const ino = namei(fs, path);
  if (ino < 0) return { status: ino };
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return { status: inode };
  return { status: OK, size: inode.size, ftype: inode.type === T_DIR ? VFS.FT_DIR : VFS.FT_FILE };
}
