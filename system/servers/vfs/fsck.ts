/*
 * fsck for BHFS: checks a disk image for consistency, as MINIX's fsck does, and lists every
 * problem in words. Checks, in order:
 *   superblock  magic, version, block size, geometry, fits the image;
 *   inodes      known type, size within the largest file, block pointers inside the data area,
 *               a pointer for every block below the size and none above it;
 *   blocks      no block used twice (by two inodes, or by an inode and the metadata);
 *   directories size a whole number of entries, "." and ".." first and right, names valid and
 *               unique, entries pointing at live inodes, no directory linked twice;
 *   bitmaps     the inode and block bitmaps say exactly which inodes and blocks are in use;
 *   counts      link counts equal the entries naming each inode; no live inode is unreachable;
 *               the superblock's free counts match the bitmaps.
 * Pure: reads the image, returns the problems ([] when consistent).
 */
import {
  bitSet, BITS_PER_BLOCK, BLOCK_SIZE, decodeDirent, decodeInode, decodeSuper, DIRENT_SIZE, get32, inodeBlock, inodeOffset,
  MAX_FILE_SIZE, NR_DIRECT, PTRS_PER_BLOCK, ROOT_INO, superProblem, T_DIR, T_FILE, T_FREE, validName, type Inode, type Superblock,
} from "./fsformat.js";

/** More problems than this are summarised in a last line. */
const MAX_PROBLEMS = 200;

interface Check {
  image: Uint8Array;
  sb: Superblock;
  problems: string[];
  /** Per block: 0 free, -1 metadata, else the inode using it. */
  owner: Int32Array;
  /** Per inode: directory entries naming it. */
  refs: Int32Array;
}

/** Every inconsistency of the BHFS on `image`; [] when it is consistent. */
export function fsck(image: Uint8Array): string[] {
  if (image.length < BLOCK_SIZE) return ["image smaller than one block"];
  const sb = decodeSuper(image.subarray(0, BLOCK_SIZE));
  const bad = superProblem(sb, Math.floor(image.length / BLOCK_SIZE));
  if (bad) return [`superblock: ${bad}`];
  const c: Check = { image, sb, problems: [], owner: new Int32Array(sb.totalBlocks), refs: new Int32Array(sb.inodeCount) };
  c.owner.fill(-1, 0, sb.dataStart);
  for (let ino = 1; ino < sb.inodeCount; ino++) checkInode(c, ino);
  checkTree(c);
  checkBitmaps(c);
  checkCounts(c);
  if (c.problems.length > MAX_PROBLEMS) return [...c.problems.slice(0, MAX_PROBLEMS), `... and ${c.problems.length - MAX_PROBLEMS} more`];
  return c.problems;
}

const inodeAt = (c: Check, ino: number): Inode =>
  decodeInode(c.image.subarray(inodeBlock(c.sb, ino) * BLOCK_SIZE, (inodeBlock(c.sb, ino) + 1) * BLOCK_SIZE), inodeOffset(ino));
const isData = (c: Check, n: number): boolean => n >= c.sb.dataStart && n < c.sb.totalBlocks;
const bit = (c: Check, mapStart: number, i: number): boolean =>
  bitSet(c.image.subarray((mapStart + Math.floor(i / BITS_PER_BLOCK)) * BLOCK_SIZE), i % BITS_PER_BLOCK);

/** Records block n as used by inode `ino` (what for: "block 3", "indirect block"). */
function claim(c: Check, ino: number, n: number, what: string): boolean {
  if (!isData(c, n)) {
    c.problems.push(`inode ${ino}: ${what} points to block ${n}, outside the data area`);
    return false;
  }
  const o = c.owner[n];
  if (o !== 0) c.problems.push(`block ${n} used twice: ${what} of inode ${ino} and ${o < 0 ? "the metadata" : `inode ${o}`}`);
  else c.owner[n] = ino;
  return o === 0;
}

/** Type, size and block pointers of inode `ino`; claims its blocks. */
function checkInode(c: Check, ino: number): void {
  const inode = inodeAt(c, ino);
  if (inode.type === T_FREE) return;
  if (inode.type !== T_FILE && inode.type !== T_DIR) return void c.problems.push(`inode ${ino}: unknown type ${inode.type}`);
  if (inode.size > MAX_FILE_SIZE) c.problems.push(`inode ${ino}: size ${inode.size} exceeds the largest file (${MAX_FILE_SIZE})`);
  const nblocks = Math.ceil(Math.min(inode.size, MAX_FILE_SIZE) / BLOCK_SIZE);
  for (let i = 0; i < NR_DIRECT; i++) checkPointer(c, ino, inode.direct[i], i, nblocks, `block ${i}`);
  if (inode.indirect === 0) {
    if (nblocks > NR_DIRECT) c.problems.push(`inode ${ino}: size ${inode.size} needs an indirect block, it has none`);
    return;
  }
  if (nblocks <= NR_DIRECT) c.problems.push(`inode ${ino}: indirect block ${inode.indirect} beyond its size ${inode.size}`);
  if (!claim(c, ino, inode.indirect, "indirect block")) return;
  for (let j = 0; j < PTRS_PER_BLOCK; j++)
    checkPointer(c, ino, get32(c.image, inode.indirect * BLOCK_SIZE + 4 * j), NR_DIRECT + j, nblocks, `block ${NR_DIRECT + j}`);
}

function checkPointer(c: Check, ino: number, n: number, i: number, nblocks: number, what: string): void {
  if (n === 0) {
    if (i < nblocks) c.problems.push(`inode ${ino}: ${what} is missing (size needs ${nblocks} blocks)`);
    return;
  }
  if (i >= nblocks) c.problems.push(`inode ${ino}: ${what} (${n}) lies beyond its size`);
  claim(c, ino, n, what);
}

/** Walks the directory tree from the root: entries, names, "." and "..", counts references. */
function checkTree(c: Check): void {
  const root = inodeAt(c, ROOT_INO);
  if (root.type !== T_DIR) return void c.problems.push(`root inode ${ROOT_INO} is not a directory (type ${root.type})`);
  const seen = new Set<number>([ROOT_INO]);
  const queue: Array<[number, number, string]> = [[ROOT_INO, ROOT_INO, "/"]];
  while (queue.length) {
    const [ino, parent, path] = queue.shift()!;
    for (const [child, name] of checkDir(c, ino, parent, path)) {
      if (seen.has(child)) {
        c.problems.push(`directory ${path}: ${name} is a second link to directory inode ${child}`);
        continue;
      }
      seen.add(child);
      queue.push([child, ino, `${path === "/" ? "" : path}/${name}`]);
    }
  }
}

/** Checks the entries of directory `ino` at `path`; returns its subdirectories (inode, name). */
function checkDir(c: Check, ino: number, parent: number, path: string): Array<[number, string]> {
  const dir = inodeAt(c, ino);
  if (dir.size % DIRENT_SIZE) c.problems.push(`directory ${path}: size ${dir.size} is not a whole number of entries`);
  const subdirs: Array<[number, string]> = [];
  const names = new Set<string>();
  const slots = Math.floor(Math.min(dir.size, MAX_FILE_SIZE) / DIRENT_SIZE);
  for (let s = 0; s < slots; s++) {
    const n = dirBlock(c, dir, Math.floor((s * DIRENT_SIZE) / BLOCK_SIZE));
    if (n === 0) continue;
    const e = decodeDirent(c.image, n * BLOCK_SIZE + ((s * DIRENT_SIZE) % BLOCK_SIZE));
    const want = s === 0 ? [".", ino] : s === 1 ? ["..", parent] : undefined;
    if (want && (e.name !== want[0] || e.ino !== want[1])) {
      c.problems.push(`directory ${path}: entry ${s} is "${e.name}" → ${e.ino}, expected "${want[0]}" → ${want[1]}`);
      if (e.ino === 0) continue;
    }
    if (e.ino === 0) continue;
    if (!want && (e.name === "." || e.name === ".." || !validName(e.name))) c.problems.push(`directory ${path}: bad name "${e.name}"`);
    if (names.has(e.name)) c.problems.push(`directory ${path}: name "${e.name}" appears twice`);
    names.add(e.name);
    if (e.ino >= c.sb.inodeCount) {
      c.problems.push(`directory ${path}: "${e.name}" points to inode ${e.ino}, beyond the ${c.sb.inodeCount} inodes`);
      continue;
    }
    const child = inodeAt(c, e.ino);
    if (child.type === T_FREE) {
      c.problems.push(`directory ${path}: "${e.name}" points to free inode ${e.ino}`);
      continue;
    }
    c.refs[e.ino]++;
    if (!want && child.type === T_DIR) subdirs.push([e.ino, e.name]);
  }
  return subdirs;
}

/** The disk block of a directory's block i, when its pointer is valid (else 0; checkInode reported it). */
function dirBlock(c: Check, dir: Inode, i: number): number {
  const n = i < NR_DIRECT ? dir.direct[i] : isData(c, dir.indirect) ? get32(c.image, dir.indirect * BLOCK_SIZE + 4 * (i - NR_DIRECT)) : 0;
  return isData(c, n) ? n : 0;
}

/** Both bitmaps against the inodes in use and the blocks claimed. */
function checkBitmaps(c: Check): void {
  if (!bit(c, c.sb.inodeMapStart, 0)) c.problems.push("inode bitmap: bit 0 (no inode) is clear");
  for (let ino = 1; ino < c.sb.inodeCount; ino++) {
    const used = inodeAt(c, ino).type !== T_FREE;
    const marked = bit(c, c.sb.inodeMapStart, ino);
    if (used && !marked) c.problems.push(`inode bitmap: inode ${ino} is in use but marked free`);
    if (!used && marked) c.problems.push(`inode bitmap: inode ${ino} is marked in use but free`);
  }
  for (let n = 0; n < c.sb.totalBlocks; n++) {
    const used = c.owner[n] !== 0;
    const marked = bit(c, c.sb.blockMapStart, n);
    if (used && !marked) c.problems.push(`block bitmap: block ${n} is in use (${c.owner[n] < 0 ? "metadata" : `inode ${c.owner[n]}`}) but marked free`);
    if (!used && marked) c.problems.push(`block bitmap: block ${n} is marked in use but unused`);
  }
}

/** Link counts, unreachable inodes, and the superblock's free counts. */
function checkCounts(c: Check): void {
  let freeInodes = 0;
  for (let ino = 1; ino < c.sb.inodeCount; ino++) {
    if (!bit(c, c.sb.inodeMapStart, ino)) freeInodes++;
    const inode = inodeAt(c, ino);
    if (inode.type === T_FREE) continue;
    if (c.refs[ino] === 0) c.problems.push(`inode ${ino} is in use but in no directory`);
    else if (inode.links !== c.refs[ino]) c.problems.push(`inode ${ino}: link count ${inode.links}, but ${c.refs[ino]} entries name it`);
  }
  let freeBlocks = 0;
  for (let n = 0; n < c.sb.totalBlocks; n++) if (!bit(c, c.sb.blockMapStart, n)) freeBlocks++;
  if (c.sb.freeInodes !== freeInodes) c.problems.push(`superblock: ${c.sb.freeInodes} free inodes, the bitmap has ${freeInodes}`);
  if (c.sb.freeBlocks !== freeBlocks) c.problems.push(`superblock: ${c.sb.freeBlocks} free blocks, the bitmap has ${freeBlocks}`);
}
