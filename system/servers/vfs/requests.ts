/*
 * VFS request handlers, one doX per request type, as MINIX servers write them: copy the
 * arguments in, look up, act through the file-system operations (fsops.ts) on the cache
 * transaction, and say what to reply. runRequest() runs one request once against the cache:
 * either it completes (the transaction commits, then `after` does the effects outside the FS:
 * the open-file table, copies to the caller), or it names the block I/O it needs first and has
 * changed nothing — VFS does the I/O and runs it again from the start.
 */
import { EAGAIN, EINVAL, EIO, ENOSYS, OK, VFS, VFS_MSG } from "../../kernel/abi.js";
import { get32, getString } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { bufAddr, CacheTx, dirtySlots, ioFor, slotOf, type CacheIo } from "./cache.js";
import { decodeSuper, superProblem, T_DIR, T_FILE } from "./fsformat.js";
import { fileReadMap, fileWriteMap, getInode, makeDir, makeFile, MISS, namei, type Fs } from "./fsops.js";
import { note } from "./bdev.js";
import { NR_FDS, PATH_BUF, STAGING, ZERO_PAGE, type VfsRequest, type VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

/** VFS's own first request: mount the file system (read the superblock). Never replied. */
export const MOUNT = -1;

/** What a handler decided: reply `status` (after running `after`, whose result replaces it), or do an I/O first. */
type Outcome = { status: number; size?: number; ftype?: number; after?: () => number } | { io: CacheIo };

export type RunResult = { done: true; status: number; size: number; ftype: number } | { done: false; io: CacheIo | undefined };

type Handler = (k: Api, fs: Fs, req: VfsRequest, tx: CacheTx) => Outcome;

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

/** Runs `req` once against the cache (mounting first if needed). */
export function runRequest(k: Api, req: VfsRequest): RunResult {
  const s = k.state;
  s.stats.runs++;
  req.runs++;
  const tx = new CacheTx(k, s.cache);
  const mounted = mount(k, tx);
  if (mounted === MISS) return { done: false, io: ioFor(s.cache, tx.touched, tx.missing) };
  if (mounted < 0) return { done: true, status: mounted, size: 0, ftype: 0 };
  const handler = HANDLERS[req.type];
  if (!handler) return { done: true, status: -ENOSYS, size: 0, ftype: 0 };
  const out = handler(k, { b: tx, sb: s.sb! }, req, tx);
  if ("io" in out) return { done: false, io: out.io };
  if (out.status === MISS) return { done: false, io: ioFor(s.cache, tx.touched, tx.missing) };
  const c = tx.commit();
  if (!c.ok) return { done: false, io: c.io };
  const status = out.status < 0 || !out.after ? out.status : out.after();
  return { done: true, status, size: out.size ?? 0, ftype: out.ftype ?? 0 };
}

/** Reads the superblock when not mounted yet: OK, MISS, or -EIO for a bad file system. */
function mount(k: Api, tx: CacheTx): number {
  const s = k.state;
  if (s.mount === "bad") return -EIO;
  if (s.sb) return OK;
  const b = tx.read(0);
  if (!b) return MISS;
  const sb = decodeSuper(b);
  const bad = superProblem(sb, sb.totalBlocks);
  if (bad) {
    s.mount = "bad";
    k.log(`cannot mount: ${bad}; every request gets EIO`);
    note(k, `mount failed: ${bad}`);
    return -EIO;
  }
  s.sb = sb;
  s.mount = "mounted";
  note(k, `mounted: ${sb.totalBlocks} blocks, ${sb.inodeCount} inodes, ${sb.freeBlocks} blocks free`);
  return OK;
}

const field = (req: VfsRequest, off: number): number => get32(req.msg, off);

/** The path of a path request: inline in the message, or through the caller's grant when long. */
function pathOf(k: Api, req: VfsRequest): string | number {
  const m = Uint8Array.from(req.msg);
  const len = get32(m, VFS_MSG.request.pathLen);
  if (len < VFS.PATH_INLINE) return getString(m, VFS_MSG.request.path, VFS.PATH_INLINE);
  if (len > VFS.PATH_MAX) return -EINVAL;
  const r = k.safecopyFrom(req.from, get32(m, VFS_MSG.request.pathGrant), 0, PATH_BUF, len);
  if (r < 0) return r;
  return String.fromCharCode(...k.read(PATH_BUF, len));
}

function freeFd(k: Api): number {
  const i = k.state.fds.findIndex((f) => f === null);
  return i >= 0 ? i : k.state.fds.length < NR_FDS ? k.state.fds.length : -1;
}

/** The open file `fd` of the caller, or undefined. */
function fileOf(k: Api, req: VfsRequest): { fd: number; ino: number; offset: number } | undefined {
  const fd = field(req, VFS_MSG.request.fd);
  const f = k.state.fds[fd];
  return f && f.owner === req.from ? { fd, ino: f.ino, offset: f.offset } : undefined;
}

/** An `after` that opens inode `ino` for the caller; its result is the fd. */
const opener = (k: Api, req: VfsRequest, ino: number) => (): number => {
  const fd = freeFd(k);
  k.state.fds[fd] = { ino, offset: 0, owner: req.from };
  return fd;
};

function doMkdir(k: Api, fs: Fs, req: VfsRequest): Outcome {
  const path = pathOf(k, req);
  if (typeof path === "number") return { status: path };
  const ino = makeDir(fs, path);
  return { status: ino < 0 ? ino : OK };
}

function doCreate(k: Api, fs: Fs, req: VfsRequest): Outcome {
  const path = pathOf(k, req);
  if (typeof path === "number") return { status: path };
  if (freeFd(k) < 0) return { status: -EAGAIN };
  const ino = makeFile(fs, path);
  return ino < 0 ? { status: ino } : { status: OK, after: opener(k, req, ino) };
}

function doOpen(k: Api, fs: Fs, req: VfsRequest): Outcome {
  const path = pathOf(k, req);
  if (typeof path === "number") return { status: path };
  if (freeFd(k) < 0) return { status: -EAGAIN };
  const ino = namei(fs, path);
  if (ino < 0) return { status: ino };
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return { status: inode };
  return inode.type !== T_FILE ? { status: -EINVAL } : { status: OK, after: opener(k, req, ino) };
}

function doWrite(k: Api, fs: Fs, req: VfsRequest, tx: CacheTx): Outcome {
  const f = fileOf(k, req);
  if (!f) return { status: -EINVAL };
  const n = Math.min(Math.max(field(req, VFS_MSG.request.bytes), 0), VFS.IO_MAX);
  if (n === 0) return { status: 0 };
  if (!req.staged) {
    const r = k.safecopyFrom(req.from, field(req, VFS_MSG.request.grant), 0, STAGING, n);
    if (r < 0) return { status: r };
    req.staged = true;
  }
  const segs = fileWriteMap(fs, f.ino, f.offset, n);
  if (typeof segs === "number") return { status: segs };
  const data = k.read(STAGING, n);
  for (const seg of segs) {
    const b = tx.read(seg.block);
    if (!b) return { status: MISS };
    b.set(data.subarray(seg.at, seg.at + seg.len), seg.off);
    tx.write(seg.block, b);
  }
  return { status: n, after: () => advance(k, f.fd, n) };
}

function doRead(k: Api, fs: Fs, req: VfsRequest): Outcome {
  const f = fileOf(k, req);
  if (!f) return { status: -EINVAL };
  const n = Math.min(Math.max(field(req, VFS_MSG.request.bytes), 0), VFS.IO_MAX);
  const segs = fileReadMap(fs, f.ino, f.offset, n);
  if (typeof segs === "number") return { status: segs };
  const grant = field(req, VFS_MSG.request.grant);
  const total = segs.reduce((t, sg) => t + sg.len, 0);
  const after = (): number => {
    for (const sg of segs) {
      const src = sg.block ? bufAddr(slotOf(k.state.cache, sg.block)) + sg.off : ZERO_PAGE;
      const r = k.safecopyTo(req.from, grant, sg.at, src, sg.len);
      if (r < 0) return r;
    }
    return advance(k, f.fd, total);
  };
  return { status: total, after };
}

function advance(k: Api, fd: number, n: number): number {
  k.state.fds[fd]!.offset += n;
  return n;
}

function doClose(k: Api, _fs: Fs, req: VfsRequest): Outcome {
  const f = fileOf(k, req);
  if (!f) return { status: -EINVAL };
  return { status: OK, after: () => ((k.state.fds[f.fd] = null), OK) };
}

/** SYNC: one dirty buffer written per run, until none is left. */
function doSync(k: Api): Outcome {
  const c = k.state.cache;
  const dirty = dirtySlots(c);
  return dirty.length ? { io: { kind: "write", block: c.block[dirty[0]], slot: dirty[0] } } : { status: OK };
}

function doStat(k: Api, fs: Fs, req: VfsRequest): Outcome {
  const path = pathOf(k, req);
  if (typeof path === "number") return { status: path };
  const ino = namei(fs, path);
  if (ino < 0) return { status: ino };
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return { status: inode };
  return { status: OK, size: inode.size, ftype: inode.type === T_DIR ? VFS.FT_DIR : VFS.FT_FILE };
}
