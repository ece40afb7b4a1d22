/*
 * Test helpers for VFS in a running system: its memory region (where its buffer headers, inode
 * table, open files and globals live) as VFS's own accessor sees it, its physical address for
 * plain RAM writes, and the decoded view.
 */
import { PROC } from "../../system/kernel/layout.js";
import { inspectVfs, type VfsView } from "../../system/servers/vfs/inspect.js";
import { regionMem, VFS_MEM_SIZE, type VfsMem } from "../../system/servers/vfs/memory.js";
import type { System } from "../../system/system.js";
import { procIndex } from "./system.js";

/** Offset in the machine's RAM array of VFS's region. */
export function vfsRamOffset(sys: System): number {
  return (sys.kernel.km.proc(procIndex(sys, "vfs"), PROC.memBase) >>> 0) - sys.machine.bus.ramBase;
}

/** VFS's region through the accessor VFS uses (reads and writes go straight to RAM). */
export function vfsMemOf(sys: System): VfsMem {
  const off = vfsRamOffset(sys);
  return regionMem(sys.machine.bus.ram.subarray(off, off + VFS_MEM_SIZE));
}

export const vfsView = (sys: System): VfsView => inspectVfs(vfsMemOf(sys));
