/*
 * The on-disk format of bulkhead's file system (BHFS): a small Unix file system in the style of
 * MINIX's V1/V2 FS and xv6. Everything is little-endian; block n lies at byte n * BLOCK_SIZE.
 *
 *   block 0                 +-------------------------------+
 *                           | superblock                    |  magic, geometry, free counts
 *   inodeMapStart           +-------------------------------+
 *                           | inode bitmap                  |  bit i set = inode i in use (bit 0 always set)
 *   blockMapStart           +-------------------------------+
 *                           | block bitmap                  |  bit n set = block n in use (all of blocks
 *                           |                               |  0 .. dataStart-1 are always set)
 *   inodeTableStart         +-------------------------------+
 *                           | inode table                   |  inodeCount inodes of 64 bytes, 64 per block;
 *                           |                               |  inode 0 is never used, 1 is the root dir
 *   dataStart               +-------------------------------+
 *                           | data blocks                   |  file data, directory blocks, indirect blocks
 *                           |          ...                  |
 *   totalBlocks             +-------------------------------+
 *
 *   superblock (at the start of block 0; the rest of the block is zero)
 *     0 magic   4 version   8 blockSize   12 totalBlocks   16 inodeCount
 *     20 inodeMapStart   24 inodeMapBlocks   28 blockMapStart   32 blockMapBlocks
 *     36 inodeTableStart   40 inodeTableBlocks   44 dataStart   48 freeBlocks   52 freeInodes
 *
 *   inode (64 bytes)
 *     0 type (u16: 0 free, 1 file, 2 dir)   2 links (u16)   4 size (bytes)
 *     8 direct[12] (block numbers, 0 = none)   56 indirect (a block of 1024 block numbers)   60 (zero)
 *
 *   directory: an array of 32-byte entries, size a multiple of 32; every directory starts with
 *   "." (itself) and ".." (its parent; the root's is itself). An entry with inode 0 is free.
 *     0 inode (u32)   4 name (28 bytes, NUL-padded; a 28-byte name has no NUL)
 *
 *   link counts: a file's is the number of entries naming it; a directory's is 2 + its
 *   subdirectories (its entry in the parent, its ".", and each child's "..").
 */

export const BLOCK_SIZE = 4096;
export const FS_MAGIC = 0x5346_4842; // "BHFS"
export const FS_VERSION = 1;

export const INODE_SIZE = 64;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const NR_DIRECT = 12;
export const PTRS_PER_BLOCK = BLOCK_SIZE / 4;
export const MAX_FILE_BLOCKS = NR_DIRECT + PTRS_PER_BLOCK;
export const MAX_FILE_SIZE = MAX_FILE_BLOCKS * BLOCK_SIZE;

export const DIRENT_SIZE = 32;
export const NAME_MAX = 28;
export const DIRENTS_PER_BLOCK = BLOCK_SIZE / DIRENT_SIZE;

export const BITS_PER_BLOCK = BLOCK_SIZE * 8;
export const ROOT_INO = 1;
export const T_FREE = 0;
export const T_FILE = 1;
export const T_DIR = 2;

/** The superblock, decoded. Geometry fields never change after mkfs; the free counts do. */
export interface Superblock {
  magic: number;
  version: number;
  blockSize: number;
  totalBlocks: number;
  inodeCount: number;
  inodeMapStart: number;
  inodeMapBlocks: number;
  blockMapStart: number;
  blockMapBlocks: number;
  inodeTableStart: number;
  inodeTableBlocks: number;
  dataStart: number;
  freeBlocks: number;
  freeInodes: number;
}

const SB_FIELDS: Array<keyof Superblock> = [
  "magic", "version", "blockSize", "totalBlocks", "inodeCount", "inodeMapStart", "inodeMapBlocks", "blockMapStart",
  "blockMapBlocks", "inodeTableStart", "inodeTableBlocks", "dataStart", "freeBlocks", "freeInodes",
];

export interface Inode {
  type: number;
  links: number;
  size: number;
  /** NR_DIRECT block numbers. */
  direct: number[];
  indirect: number;
}

export interface Dirent {
  ino: number;
  name: string;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
// Little-endian words by bytes (no DataView per access: VFS calls these on every request).
export const get32 = (b: Uint8Array, off: number): number => (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
export function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}

/** Decodes the superblock at the start of block 0's contents. */
export function decodeSuper(b: Uint8Array): Superblock {
  const sb = {} as Superblock;
  for (let i = 0; i < SB_FIELDS.length; i++) sb[SB_FIELDS[i]] = get32(b, 4 * i);
  return sb;
}

export function encodeSuper(sb: Superblock, b: Uint8Array): void {
  for (let i = 0; i < SB_FIELDS.length; i++) put32(b, 4 * i, sb[SB_FIELDS[i]]);
}

/** The block holding inode `ino`, and the inode's byte offset in it. */
export const inodeBlock = (sb: Superblock, ino: number): number => sb.inodeTableStart + Math.floor(ino / INODES_PER_BLOCK);
export const inodeOffset = (ino: number): number => (ino % INODES_PER_BLOCK) * INODE_SIZE;

export function decodeInode(b: Uint8Array, off: number): Inode {
  const v = view(b);
  const direct: number[] = [];
  for (let i = 0; i < NR_DIRECT; i++) direct.push(v.getUint32(off + 8 + 4 * i, true));
  return { type: v.getUint16(off, true), links: v.getUint16(off + 2, true), size: v.getUint32(off + 4, true), direct, indirect: v.getUint32(off + 56, true) };
}

export function encodeInode(ino: Inode, b: Uint8Array, off: number): void {
  const v = view(b);
  v.setUint16(off, ino.type, true);
  v.setUint16(off + 2, ino.links, true);
  v.setUint32(off + 4, ino.size >>> 0, true);
  for (let i = 0; i < NR_DIRECT; i++) v.setUint32(off + 8 + 4 * i, ino.direct[i] ?? 0, true);
  v.setUint32(off + 56, ino.indirect, true);
  v.setUint32(off + 60, 0, true);
}

export const emptyInode = (type: number): Inode => ({ type, links: 0, size: 0, direct: new Array(NR_DIRECT).fill(0), indirect: 0 });

/** The entry at byte `off` of a directory block. The name stops at the first NUL. */
export function decodeDirent(b: Uint8Array, off: number): Dirent {
  let name = "";
  for (let i = 0; i < NAME_MAX && b[off + 4 + i]; i++) name += String.fromCharCode(b[off + 4 + i]);
  return { ino: get32(b, off), name };
}

export function encodeDirent(e: Dirent, b: Uint8Array, off: number): void {
  put32(b, off, e.ino);
  for (let i = 0; i < NAME_MAX; i++) b[off + 4 + i] = i < e.name.length ? e.name.charCodeAt(i) & 0xff : 0;
}

/** Bit `i` of a bitmap block. */
export const bitSet = (b: Uint8Array, i: number): boolean => (b[i >> 3] & (1 << (i & 7))) !== 0;
export function setBit(b: Uint8Array, i: number, on: boolean): void {
  if (on) b[i >> 3] |= 1 << (i & 7);
  else b[i >> 3] &= ~(1 << (i & 7));
}

/** A valid name for a directory entry: 1..NAME_MAX bytes of printable ASCII without '/'. */
export const validName = (name: string): boolean => name.length > 0 && name.length <= NAME_MAX && /^[\x21-\x2e\x30-\x7e]+$/.test(name);

/**
 * The geometry of a file system of `totalBlocks` blocks with (at least) `inodes` inodes
 * (rounded up to whole inode-table blocks): region starts and sizes, free counts of the empty FS
 * (root directory not yet made).
 */
export function geometry(totalBlocks: number, inodes: number): Superblock {
  const inodeTableBlocks = Math.ceil(inodes / INODES_PER_BLOCK);
  const inodeCount = inodeTableBlocks * INODES_PER_BLOCK;
  const inodeMapBlocks = Math.ceil(inodeCount / BITS_PER_BLOCK);
  const blockMapBlocks = Math.ceil(totalBlocks / BITS_PER_BLOCK);
  const inodeMapStart = 1;
  const blockMapStart = inodeMapStart + inodeMapBlocks;
  const inodeTableStart = blockMapStart + blockMapBlocks;
  const dataStart = inodeTableStart + inodeTableBlocks;
  return {
    magic: FS_MAGIC, version: FS_VERSION, blockSize: BLOCK_SIZE, totalBlocks, inodeCount,
    inodeMapStart, inodeMapBlocks, blockMapStart, blockMapBlocks, inodeTableStart, inodeTableBlocks, dataStart,
    freeBlocks: totalBlocks - dataStart, freeInodes: inodeCount - 1,
  };
}

/** Why superblock `sb` cannot describe a file system on a device of `deviceBlocks` blocks, or undefined. */
export function superProblem(sb: Superblock, deviceBlocks: number): string | undefined {
  if (sb.magic !== FS_MAGIC) return `bad magic 0x${sb.magic.toString(16)}`;
  if (sb.version !== FS_VERSION) return `unknown version ${sb.version}`;
  if (sb.blockSize !== BLOCK_SIZE) return `block size ${sb.blockSize}, expected ${BLOCK_SIZE}`;
  if (sb.totalBlocks > deviceBlocks) return `${sb.totalBlocks} blocks on a device of ${deviceBlocks}`;
  if (sb.inodeCount < 2 || sb.inodeCount > 1 << 20) return `implausible inode count ${sb.inodeCount}`;
  const want = geometry(sb.totalBlocks, sb.inodeCount);
  for (const f of ["inodeCount", "inodeMapStart", "inodeMapBlocks", "blockMapStart", "blockMapBlocks", "inodeTableStart", "inodeTableBlocks", "dataStart"] as const)
    if (sb[f] !== want[f]) return `${f} is ${sb[f]}, the geometry says ${want[f]}`;
  if (sb.dataStart >= sb.totalBlocks) return `no data blocks (data starts at ${sb.dataStart} of ${sb.totalBlocks})`;
  return undefined;
}
