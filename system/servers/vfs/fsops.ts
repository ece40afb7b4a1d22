/*
 * File-system operations on BHFS (fsformat.ts): inodes, block maps, allocation, directories,
 * path lookup, and the block ranges of a read or write. They work on any `Blocks`: a disk image
 * (mkfs, tools, the oracle) or VFS's buffer cache, where a block may not be at hand. Then the
 * operation returns MISS (-ERESTART, as MINIX restarts a request) and the caller fetches the
 * block and runs the whole operation again; nothing is changed by a run that missed, because
 * the cache stages writes until the run completes (cache.ts).
 *
 * Errors are negative MINIX errno values: ENOENT, EEXIST, ENOSPC, EINVAL (not a directory, bad
 * name), E2BIG (file too large), EIO (the FS on disk is inconsistent), MISS.
 */
import { E2BIG, EEXIST, EINVAL, EIO, ENOENT, ENOSPC, ERESTART } from "../../kernel/abi.js";
import {
  BITS_PER_BLOCK, BLOCK_SIZE, DIRENT_SIZE, DIRENTS_PER_BLOCK, decodeDirent, decodeInode, decodeSuper, emptyInode, encodeDirent,
  encodeInode, encodeSuper, get32, inodeBlock, inodeOffset, MAX_FILE_BLOCKS, MAX_FILE_SIZE, NR_DIRECT, put32, ROOT_INO, setBit,
  bitSet, T_DIR, T_FILE, validName, type Inode, type Superblock,
} from "./fsformat.js";

/** A block is not at hand: fetch it and run the operation again. */
export const MISS = -ERESTART;

/** Block access for the operations. */
export interface Blocks {
  /** A copy of block n, or undefined when it is not at hand (the operation returns MISS). */
  read(n: number): Uint8Array | undefined;
  /** Block n for reading only (not a copy: the caller changes nothing), or undefined as read(). */
  peek(n: number): Uint8Array | undefined;
  /**
   * Replaces block n (its old contents need not be at hand); false when no buffer is free (MISS).
   * The block takes `data` over: the caller does not touch it afterwards (read() gives copies).
   */
  write(n: number, data: Uint8Array): boolean;
  /** Whether block n's contents are at hand (data the caller will copy); false means MISS. */
  need(n: number): boolean;
}

/**
 * An in-memory inode table in front of the inode blocks (VFS's, inodes.ts). The operations still
 * read and write the inode's block; the table supplies the contents when it holds the inode.
 */
export interface Inodes {
  /** Inode `ino` as the table holds it, or as the bytes at `off` in its block `block` hold it. */
  get(ino: number, block: Uint8Array, off: number): Inode;
  /** Inode `ino` changed to `inode` (its block is written too: write-through). */
  put(ino: number, inode: Inode): void;
}

/**
 * A mounted file system: block access, the superblock's geometry (free counts are read from
 * block 0) and, in VFS, the inode table.
 */
export interface Fs {
  b: Blocks;
  sb: Superblock;
  inodes?: Inodes;
}

/** A piece of a read or write: `len` bytes at `off` in block `block` (0: a hole, reads as zeros), at `at` in the user's buffer. */
export interface Segment {
  block: number;
  off: number;
  len: number;
  at: number;
}

const isData = (fs: Fs, n: number): boolean => n >= fs.sb.dataStart && n < fs.sb.totalBlocks;

// ---- inodes ------------------------------------------------------------------------------------

/** Inode `ino`, or an error (EINVAL for a number out of range). */
export function getInode(fs: Fs, ino: number): Inode | number {
  if (ino < 1 || ino >= fs.sb.inodeCount) return -EINVAL;
  const b = fs.b.peek(inodeBlock(fs.sb, ino));
  if (!b) return MISS;
  return fs.inodes ? fs.inodes.get(ino, b, inodeOffset(ino)) : decodeInode(b, inodeOffset(ino));
}

export function putInode(fs: Fs, ino: number, inode: Inode): number {
  const n = inodeBlock(fs.sb, ino);
  const b = fs.b.read(n);
  if (!b) return MISS;
  encodeInode(inode, b, inodeOffset(ino));
  if (!fs.b.write(n, b)) return MISS;
  fs.inodes?.put(ino, inode);
  return 0;
}

// ---- allocation --------------------------------------------------------------------------------

/** Adds `dBlocks`/`dInodes` to the superblock's free counts. */
function adjustFree(fs: Fs, dBlocks: number, dInodes: number): number {
  const b = fs.b.read(0);
  if (!b) return MISS;
  const sb = decodeSuper(b);
  sb.freeBlocks += dBlocks;
  sb.freeInodes += dInodes;
  encodeSuper(sb, b);
  return fs.b.write(0, b) ? 0 : MISS;
}

/** Sets the first clear bit below `limit` of the bitmap at `start`; its index, or -ENOSPC. */
function allocBit(fs: Fs, start: number, blocks: number, limit: number): number {
  for (let m = 0; m < blocks; m++) {
    const v = fs.b.peek(start + m);
    if (!v) return MISS;
    for (let i = 0; i < BITS_PER_BLOCK && m * BITS_PER_BLOCK + i < limit; i++) {
      if ((i & 7) === 0 && v[i >> 3] === 0xff) {
        i += 7; // a full byte: skip it
        continue;
      }
      if (bitSet(v, i)) continue;
      const b = fs.b.read(start + m)!;
      setBit(b, i, true);
      return fs.b.write(start + m, b) ? m * BITS_PER_BLOCK + i : MISS;
    }
  }
  return -ENOSPC;
}

/** A new data block, zero-filled: its number, or an error. */
export function allocBlock(fs: Fs): number {
  const n = allocBit(fs, fs.sb.blockMapStart, fs.sb.blockMapBlocks, fs.sb.totalBlocks);
  if (n < 0) return n;
  if (!isData(fs, n)) return -EIO; // the bitmap lost a metadata block's bit
  const r = adjustFree(fs, -1, 0);
  if (r < 0) return r;
  return fs.b.write(n, new Uint8Array(BLOCK_SIZE)) ? n : MISS;
}

/** A new inode of `type` with `links` links: its number, or an error. */
export function allocInode(fs: Fs, type: number, links: number): number {
  const ino = allocBit(fs, fs.sb.inodeMapStart, fs.sb.inodeMapBlocks, fs.sb.inodeCount);
  if (ino < 0) return ino;
  if (ino === 0) return -EIO;
  const r = adjustFree(fs, 0, -1);
  if (r < 0) return r;
  const inode = emptyInode(type);
  inode.links = links;
  const w = putInode(fs, ino, inode);
  return w < 0 ? w : ino;
}

// ---- block maps --------------------------------------------------------------------------------

/** The disk block of file block `i` of `inode` (0 if none), or an error. */
export function bmap(fs: Fs, inode: Inode, i: number): number {
  if (i < NR_DIRECT) return checked(fs, inode.direct[i]);
  if (i >= MAX_FILE_BLOCKS || inode.indirect === 0) return 0;
  if (!isData(fs, inode.indirect)) return -EIO;
  const b = fs.b.peek(inode.indirect);
  if (!b) return MISS;
  return checked(fs, get32(b, 4 * (i - NR_DIRECT)));
}

const checked = (fs: Fs, n: number): number => (n === 0 || isData(fs, n) ? n : -EIO);

/** Like bmap, allocating the block (and the indirect block) when missing; updates `inode` in memory. */
export function bmapAlloc(fs: Fs, inode: Inode, i: number): number {
  if (i >= MAX_FILE_BLOCKS) return -E2BIG;
  const have = bmap(fs, inode, i);
  if (have !== 0) return have;
  if (i >= NR_DIRECT && inode.indirect === 0) {
    const ind = allocBlock(fs);
    if (ind < 0) return ind;
    inode.indirect = ind;
  }
  const n = allocBlock(fs);
  if (n < 0) return n;
  if (i < NR_DIRECT) {
    inode.direct[i] = n;
    return n;
  }
  const b = fs.b.read(inode.indirect);
  if (!b) return MISS;
  put32(b, 4 * (i - NR_DIRECT), n);
  return fs.b.write(inode.indirect, b) ? n : MISS;
}

// ---- directories -------------------------------------------------------------------------------

/** Calls `visit(entryBlock, offset, ino, name)` for every slot of directory `dir` until it returns true. */
function scanDir(fs: Fs, dir: Inode, visit: (block: number, off: number, ino: number, name: string) => boolean): number {
  if (dir.type !== T_DIR) return -EINVAL;
  const slots = Math.floor(dir.size / DIRENT_SIZE);
  for (let s = 0; s < slots; s += DIRENTS_PER_BLOCK) {
    const n = bmap(fs, dir, s / DIRENTS_PER_BLOCK);
    if (n <= 0) return n < 0 ? n : -EIO;
    const b = fs.b.peek(n);
    if (!b) return MISS;
    for (let j = 0; j < DIRENTS_PER_BLOCK && s + j < slots; j++) {
      const e = decodeDirent(b, j * DIRENT_SIZE);
      if (visit(n, j * DIRENT_SIZE, e.ino, e.name)) return 0;
    }
  }
  return 0;
}

/** The inode named `name` in directory `dirIno`, or -ENOENT. */
export function dirLookup(fs: Fs, dirIno: number, name: string): number {
  const dir = getInode(fs, dirIno);
  if (typeof dir === "number") return dir;
  let found = -ENOENT;
  const r = scanDir(fs, dir, (_b, _o, ino, n) => {
    if (ino === 0 || n !== name) return false;
    found = ino;
    return true;
  });
  return r < 0 ? r : found;
}

/** Adds entry `name` → `ino` to directory `dirIno` (a free slot, or a new one at the end). */
export function dirEnter(fs: Fs, dirIno: number, name: string, ino: number): number {
  const dir = getInode(fs, dirIno);
  if (typeof dir === "number") return dir;
  let slot: { block: number; off: number } | undefined;
  const r = scanDir(fs, dir, (block, off, e) => {
    if (e !== 0) return false;
    slot = { block, off };
    return true;
  });
  if (r < 0) return r;
  if (!slot) {
    const i = Math.floor(dir.size / BLOCK_SIZE);
    const block = bmapAlloc(fs, dir, i);
    if (block < 0) return block;
    slot = { block, off: dir.size % BLOCK_SIZE };
    dir.size += DIRENT_SIZE;
    const w = putInode(fs, dirIno, dir);
    if (w < 0) return w;
  }
  const b = fs.b.read(slot.block);
  if (!b) return MISS;
  encodeDirent({ ino, name }, b, slot.off);
  return fs.b.write(slot.block, b) ? 0 : MISS;
}

// ---- paths -------------------------------------------------------------------------------------

/** The components of an absolute path, or an error for a relative path or a bad name. */
export function splitPath(path: string): string[] | number {
  if (!path.startsWith("/")) return -EINVAL;
  const parts = path.split("/").filter((p) => p.length > 0);
  return parts.every(validName) ? parts : -EINVAL;
}

/** The inode of `path`, or an error. */
export function namei(fs: Fs, path: string): number {
  const parts = splitPath(path);
  if (typeof parts === "number") return parts;
  let ino = ROOT_INO;
  for (const p of parts) {
    ino = dirLookup(fs, ino, p);
    if (ino < 0) return ino;
  }
  return ino;
}

/** Creates `path` as a new inode of `type`: its number, or an error (EEXIST if it is there). */
function makeNode(fs: Fs, path: string, type: number): number {
  const parts = splitPath(path);
  if (typeof parts === "number") return parts;
  if (parts.length === 0) return -EEXIST;
  const name = parts[parts.length - 1];
  const parent = namei(fs, `/${parts.slice(0, -1).join("/")}`);
  if (parent < 0) return parent;
  const there = dirLookup(fs, parent, name);
  if (there >= 0) return -EEXIST;
  if (there !== -ENOENT) return there;
  const ino = allocInode(fs, type, type === T_DIR ? 2 : 1);
  if (ino < 0) return ino;
  if (type === T_DIR) {
    const r = initDir(fs, ino, parent);
    if (r < 0) return r;
    const p = getInode(fs, parent);
    if (typeof p === "number") return p;
    p.links++;
    const w = putInode(fs, parent, p);
    if (w < 0) return w;
  }
  const e = dirEnter(fs, parent, name, ino);
  return e < 0 ? e : ino;
}

/** Gives new directory `ino` its "." and ".." entries. */
export function initDir(fs: Fs, ino: number, parent: number): number {
  const r = dirEnter(fs, ino, ".", ino);
  return r < 0 ? r : dirEnter(fs, ino, "..", parent);
}

export const makeDir = (fs: Fs, path: string): number => makeNode(fs, path, T_DIR);
export const makeFile = (fs: Fs, path: string): number => makeNode(fs, path, T_FILE);

// ---- file data ---------------------------------------------------------------------------------

/** The segments of reading up to `len` bytes of file `ino` at `off` (cut at the end of the file). */
export function fileReadMap(fs: Fs, ino: number, off: number, len: number): Segment[] | number {
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return inode;
  if (inode.type !== T_FILE) return -EINVAL;
  const end = Math.min(inode.size, off + len);
  const segs: Segment[] = [];
  for (let pos = off; pos < end; ) {
    const n = bmap(fs, inode, Math.floor(pos / BLOCK_SIZE));
    if (n < 0) return n;
    if (n > 0 && !fs.b.need(n)) return MISS;
    const o = pos % BLOCK_SIZE;
    const l = Math.min(BLOCK_SIZE - o, end - pos);
    segs.push({ block: n, off: o, len: l, at: pos - off });
    pos += l;
  }
  return segs;
}

/**
 * The segments of writing `len` bytes to file `ino` at `off`: allocates missing blocks, grows
 * the size, and makes sure every block to be partly overwritten is at hand (a block overwritten
 * whole is just claimed). The caller copies the data into the segments.
 */
export function fileWriteMap(fs: Fs, ino: number, off: number, len: number): Segment[] | number {
  const inode = getInode(fs, ino);
  if (typeof inode === "number") return inode;
  if (inode.type !== T_FILE) return -EINVAL;
  if (off + len > MAX_FILE_SIZE) return -E2BIG;
  const segs: Segment[] = [];
  for (let pos = off; pos < off + len; ) {
    const i = Math.floor(pos / BLOCK_SIZE);
    const had = bmap(fs, inode, i);
    if (had < 0) return had;
    const n = had || bmapAlloc(fs, inode, i);
    if (n < 0) return n;
    const o = pos % BLOCK_SIZE;
    const l = Math.min(BLOCK_SIZE - o, off + len - pos);
    const whole = o === 0 && (l === BLOCK_SIZE || pos + l >= inode.size);
    if (had && !(whole ? fs.b.write(n, new Uint8Array(BLOCK_SIZE)) : fs.b.need(n))) return MISS;
    segs.push({ block: n, off: o, len: l, at: pos - off });
    pos += l;
  }
  inode.size = Math.max(inode.size, off + len);
  const w = putInode(fs, ino, inode);
  return w < 0 ? w : segs;
}
