/*
 * BHFS on a whole disk image, outside the running system: mkfs formats an image, and the image
 * helpers open it and add directories and files with the same operations VFS uses (fsops.ts),
 * for tests and for preparing disks. All functions work on the image in place and are pure
 * otherwise (no I/O, no clock).
 */
import {
  BLOCK_SIZE, decodeSuper, encodeSuper, geometry, INODES_PER_BLOCK, ROOT_INO, setBit, superProblem, T_DIR, type Superblock,
} from "./fsformat.js";
import { allocInode, fileWriteMap, initDir, makeDir, makeFile, type Blocks, type Fs } from "./fsops.js";

/** Blocks of an image held in memory: every block is always at hand. */
export class ImageBlocks implements Blocks {
  constructor(readonly image: Uint8Array) {}

  read(n: number): Uint8Array {
    return this.image.slice(n * BLOCK_SIZE, (n + 1) * BLOCK_SIZE);
  }

  peek(n: number): Uint8Array {
    return this.image.subarray(n * BLOCK_SIZE, (n + 1) * BLOCK_SIZE);
  }

  write(n: number, data: Uint8Array): boolean {
    this.image.set(data.subarray(0, BLOCK_SIZE), n * BLOCK_SIZE);
    return true;
  }

  need(): boolean {
    return true;
  }
}

export interface MkfsOptions {
  /** Number of inodes (rounded up to a whole inode-table block); default one per 4 blocks, at least 64. */
  inodes?: number;
}

/**
 * Formats `image` (its length in whole blocks is the FS size) as an empty BHFS with a root
 * directory: zeroes the metadata area, writes superblock and bitmaps, and makes inode 1.
 * Returns the superblock, or an error when the image is too small.
 */
export function mkfs(image: Uint8Array, opts: MkfsOptions = {}): { ok: true; sb: Superblock } | { ok: false; error: string } {
  const total = Math.floor(image.length / BLOCK_SIZE);
  const inodes = Math.max(INODES_PER_BLOCK, opts.inodes ?? Math.ceil(total / 4));
  const sb = geometry(total, inodes);
  if (sb.dataStart + 1 > total) return { ok: false, error: `an image of ${total} blocks has no room for ${inodes} inodes and a root directory` };
  image.fill(0, 0, sb.dataStart * BLOCK_SIZE);
  const b = new ImageBlocks(image);
  for (let n = 0; n < sb.dataStart; n++) markBit(b, sb.blockMapStart, n);
  markBit(b, sb.inodeMapStart, 0);
  const block0 = b.read(0);
  encodeSuper(sb, block0);
  b.write(0, block0);
  const fs: Fs = { b, sb };
  const root = allocInode(fs, T_DIR, 2);
  if (root !== ROOT_INO) return { ok: false, error: `root directory got inode ${root}` };
  const r = initDir(fs, ROOT_INO, ROOT_INO);
  if (r < 0) return { ok: false, error: `cannot make the root directory: error ${r}` };
  return { ok: true, sb: decodeSuper(b.read(0)) };
}

function markBit(b: ImageBlocks, mapStart: number, i: number): void {
  const n = mapStart + Math.floor(i / (BLOCK_SIZE * 8));
  const blk = b.read(n);
  setBit(blk, i % (BLOCK_SIZE * 8), true);
  b.write(n, blk);
}

/** The file system on `image`, or why it cannot be used. */
export function openImage(image: Uint8Array): { ok: true; fs: Fs } | { ok: false; error: string } {
  if (image.length < BLOCK_SIZE) return { ok: false, error: "image smaller than one block" };
  const b = new ImageBlocks(image);
  const sb = decodeSuper(b.read(0));
  const bad = superProblem(sb, Math.floor(image.length / BLOCK_SIZE));
  return bad ? { ok: false, error: `superblock: ${bad}` } : { ok: true, fs: { b, sb } };
}

/** Makes directory `path` on a formatted image; its inode number or a negative errno. */
export function addDir(image: Uint8Array, path: string): number {
  const o = openImage(image);
  return o.ok ? makeDir(o.fs, path) : -1;
}

/** Makes file `path` with contents `data` on a formatted image; its inode number or a negative errno. */
export function addFile(image: Uint8Array, path: string, data: Uint8Array): number {
  const o = openImage(image);
  if (!o.ok) return -1;
  const ino = makeFile(o.fs, path);
  if (ino < 0 || data.length === 0) return ino;
  const segs = fileWriteMap(o.fs, ino, 0, data.length);
  if (typeof segs === "number") return segs;
  for (const s of segs) image.set(data.subarray(s.at, s.at + s.len), s.block * BLOCK_SIZE + s.off);
  return ino;
}
