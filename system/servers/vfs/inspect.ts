/*
 * VFS's RAM state decoded for observers (tests, debugging): what the buffer headers, the inode
 * table, the open files and the globals say right now. VFS itself never uses this.
 */
import type { Inode } from "./fsformat.js";
import {
  BUF, BUF_DIRTY, DRV_FAILED, DRV_UP, DRV_WAITING, FILP, G, INODE, MOUNT_BAD, MOUNTED, NR_FDS, NR_INODES, type VfsMem,
} from "./memory.js";

export interface VfsView {
  mount: "pending" | "mounted" | "bad";
  driver: { label: string; endpoint: number; status: "up" | "waiting" | "failed" | number };
  /** Per buffer: the block its header names (-1: free), its dirty flag, whether the driver holds it for an I/O. */
  buffers: Array<{ block: number; dirty: boolean; busy: boolean }>;
  /** Open files by fd (null: free). */
  files: Array<{ ino: number; offset: number; owner: number } | null>;
  /** Inode-table entries in use: their table index, inode number, open files and contents. */
  inodes: Array<{ entry: number; ino: number; count: number; inode: Inode }>;
}

export function inspectVfs(m: VfsMem): VfsView {
  const mount = m.g(G.mount);
  const status = m.g(G.drvStatus);
  const buffers: VfsView["buffers"] = [];
  for (let s = 0; s < m.nbuf(); s++) buffers.push({ block: m.buf(s, BUF.blocknr), dirty: (m.buf(s, BUF.flags) & BUF_DIRTY) !== 0, busy: m.buf(s, BUF.count) !== 0 });
  const files: VfsView["files"] = [];
  for (let fd = 0; fd < NR_FDS; fd++)
    files.push(m.filp(fd, FILP.count) ? { ino: m.filp(fd, FILP.ino), offset: m.filp(fd, FILP.pos) >>> 0, owner: m.filp(fd, FILP.owner) } : null);
  const inodes: VfsView["inodes"] = [];
  for (let e = 0; e < NR_INODES; e++)
    if (m.inode(e, INODE.num) > 0) inodes.push({ entry: e, ino: m.inode(e, INODE.num), count: m.inode(e, INODE.count), inode: m.inodeDisk(e) });
  return {
    mount: mount === MOUNTED ? "mounted" : mount === MOUNT_BAD ? "bad" : "pending",
    driver: {
      label: m.label(), endpoint: m.g(G.drvEndpoint),
      status: status === DRV_UP ? "up" : status === DRV_WAITING ? "waiting" : status === DRV_FAILED ? "failed" : status,
    },
    buffers, files, inodes,
  };
}
