/*
 * Reading a BHFS image as a tree of paths, for oracles and tests: what a user would find on
 * the disk. The reader trusts nothing: block pointers outside the data area read as zeros,
 * sizes are cut at the largest possible file, directories are visited once, so a corrupted
 * image gives a (wrong) tree rather than an exception. Whether the image is consistent is
 * fsck's question (fsck.ts).
 */
import {
  BLOCK_SIZE, DIRENT_SIZE, decodeDirent, decodeInode, get32, inodeBlock, inodeOffset, MAX_FILE_BLOCKS, MAX_FILE_SIZE, NR_DIRECT,
  ROOT_INO, T_DIR, T_FILE, type Inode, type Superblock,
} from "./fsformat.js";
import { openImage } from "./mkfs.js";

/** Path ("/", "/d0", "/d0/f1") → file contents, or "dir". */
export type Tree = Record<string, Uint8Array | "dir">;

/** At most this many directory entries are followed (a corrupted image may describe more). */
const MAX_ENTRIES = 1 << 16;

interface Reader {
  image: Uint8Array;
  sb: Superblock;
}

function inode(r: Reader, ino: number): Inode | undefined {
  if (ino < 1 || ino >= r.sb.inodeCount) return undefined;
  return decodeInode(r.image.subarray(inodeBlock(r.sb, ino) * BLOCK_SIZE, (inodeBlock(r.sb, ino) + 1) * BLOCK_SIZE), inodeOffset(ino));
}

const valid = (r: Reader, n: number): boolean => n >= r.sb.dataStart && n < r.sb.totalBlocks;

/** Disk block of file block i, or 0 (none, or a pointer outside the data area). */
function blockOf(r: Reader, ino: Inode, i: number): number {
  let n = 0;
  if (i < NR_DIRECT) n = ino.direct[i];
  else if (i < MAX_FILE_BLOCKS && valid(r, ino.indirect)) n = get32(r.image, ino.indirect * BLOCK_SIZE + 4 * (i - NR_DIRECT));
  return valid(r, n) ? n : 0;
}

/** The contents of a file or directory inode (holes and bad pointers read as zeros). */
function data(r: Reader, ino: Inode): Uint8Array {
  const size = Math.min(ino.size, MAX_FILE_SIZE);
  const out = new Uint8Array(size);
  for (let i = 0; i * BLOCK_SIZE < size; i++) {
    const n = blockOf(r, ino, i);
    const len = Math.min(BLOCK_SIZE, size - i * BLOCK_SIZE);
    if (n) out.set(r.image.subarray(n * BLOCK_SIZE, n * BLOCK_SIZE + len), i * BLOCK_SIZE);
  }
  return out;
}

/** Entries of a directory inode other than ".", ".." and free slots. */
function entries(r: Reader, dir: Inode): Array<{ ino: number; name: string }> {
  const d = data(r, dir);
  const out: Array<{ ino: number; name: string }> = [];
  for (let off = 0; off + DIRENT_SIZE <= d.length; off += DIRENT_SIZE) {
    const e = decodeDirent(d, off);
    if (e.ino !== 0 && e.name !== "." && e.name !== ".." && e.name.length > 0 && !e.name.includes("/")) out.push(e);
  }
  return out;
}

/** Every directory and file reachable from the root of `image`; {} when there is no valid superblock. */
export function readTree(image: Uint8Array): Tree {
  const o = openImage(image);
  if (!o.ok) return {};
  const r: Reader = { image, sb: o.fs.sb };
  const tree: Tree = {};
  const root = inode(r, ROOT_INO);
  if (root?.type !== T_DIR) return tree;
  tree["/"] = "dir";
  const seen = new Set<number>([ROOT_INO]);
  const queue: Array<[Inode, string]> = [[root, ""]];
  let followed = 0;
  while (queue.length && followed < MAX_ENTRIES) {
    const [dir, base] = queue.shift()!;
    for (const e of entries(r, dir)) {
      if (++followed > MAX_ENTRIES) break;
      const path = `${base}/${e.name}`;
      const child = inode(r, e.ino);
      if (child?.type === T_FILE) tree[path] = data(r, child);
      else if (child?.type === T_DIR && !seen.has(e.ino)) {
        seen.add(e.ino);
        tree[path] = "dir";
        queue.push([child, path]);
      }
    }
  }
  return tree;
}

/** The disk blocks holding the data of the file or directory at `path` (in file order), or undefined. */
export function fileBlocks(image: Uint8Array, path: string): number[] | undefined {
  const o = openImage(image);
  if (!o.ok) return undefined;
  const r: Reader = { image, sb: o.fs.sb };
  let cur = inode(r, ROOT_INO);
  for (const name of path.split("/").filter(Boolean)) {
    if (cur?.type !== T_DIR) return undefined;
    const e = entries(r, cur).find((x) => x.name === name);
    cur = e && inode(r, e.ino);
  }
  if (!cur) return undefined;
  const blocks: number[] = [];
  for (let i = 0; i * BLOCK_SIZE < Math.min(cur.size, MAX_FILE_SIZE); i++) blocks.push(blockOf(r, cur, i));
  return blocks;
}
