/*
 * Where a driver's memory lies in a kernel address space (monolithic; later Nooks). A kernel
 * loads a driver as a module: its image among the kernel's other objects, one address space
 * for all of them. The driver binary is the same in every build (DESIGN.md principle 4), so its
 * virtual addresses are too; what changes is what surrounds them. Here the driver's window
 * [0x1000, DRIVER_STACK_TOP) is a linear alias of the physical memory around its image, so an
 * overrun or a pointer off by a little reaches the kernel objects that really lie next to it:
 *
 *   driver virtual                  physical (B: where the image was allocated)
 *   0x0000_0000  unmapped           (the NULL page)
 *   0x0000_1000  ┐                  B - 0x3f_f000 (pages outside RAM stay unmapped)
 *                │ objects allocated before the driver, nearest first: VFS's memory (its buffer
 *                │ cache ends right below the driver's text), the liveness probe, RS, DS, then the
 *                │ page-table pool and the kernel's own tables (process, privilege, queues, ...)
 *   0x0040_0000  ├ text, rodata,    B
 *                │ data, bss        (the driver's buffers, its PRD table)
 *                │ kernel heap      free memory the kernel allocates later objects from: the
 *                │                  workload's memory lands right after the bss
 *   0x007e_f000  ├ guard page       unmapped if the build has a stack guard (Linux VMAP_STACK),
 *                │                  else more kernel heap
 *   0x007f_0000  ├ stack (64 KiB)   B + 0x3f_0000, allocated there (elsewhere, still mapped
 *   0x0080_0000  ┘                  here, if that memory is taken)
 *   0x8000_0000  all of RAM 1:1     (the kernel's direct map, mapAllRam)
 *
 * Everything but the image keeps the page permissions of kernel data (R/W, supervisor); in a
 * Nooks protection domain it is read-only, the image and the stack being all the driver may
 * write. In a private address space (minix3) only the image and the stack are mapped (spawn.ts).
 */
import type { ElfSegment } from "../machine/elf.js";
import { DRIVER_STACK_SIZE, DRIVER_STACK_TOP, DRIVER_TEXT_BASE } from "./abi.js";
import type { KernelMemory } from "./layout.js";
import { allocAt, allocMem, mapPage, PAGE, PERM_R, PERM_W, PERM_X } from "./vm.js";

const STACK_BOTTOM = DRIVER_STACK_TOP - DRIVER_STACK_SIZE;
/** Physical distance from the image's base to the stack's, when the stack lies where the window puts it. */
export const STACK_OFFSET = STACK_BOTTOM - DRIVER_TEXT_BASE;

/** Page permissions of the image page at `va` (from its segment; bss and gaps are data). */
export function imagePerm(segs: ElfSegment[], va: number): number {
  const sg = segs.find((g) => va + PAGE > g.vaddr && va < g.vaddr + g.memsz);
  const f = sg ? sg.flags : 6;
  return (f & 4 ? PERM_R : 0) | (f & 2 ? PERM_W | PERM_R : 0) | (f & 1 ? PERM_X : 0) || PERM_R;
}

/**
 * Allocates the stack of a driver whose image is at `base` (imageSize bytes) in a kernel address
 * space: at base + STACK_OFFSET if that memory is free, else anywhere. Physical base or -1.
 */
export function allocModuleStack(km: KernelMemory, base: number): number {
  if (allocAt(km, base + STACK_OFFSET, DRIVER_STACK_SIZE)) return base + STACK_OFFSET;
  return allocMem(km, DRIVER_STACK_SIZE);
}

/**
 * Maps the driver's window into the address space `root` as drawn above, the kernel's objects
 * read-only when `domain` (Nooks); false when out of page-table frames.
 */
export function mapModuleWindow(
  km: KernelMemory, root: number, segs: ElfSegment[], base: number, imageSize: number, stack: number, guard: boolean, domain = false,
): boolean {
  const ram = km.bus;
  for (let va = PAGE; va < DRIVER_STACK_TOP; va += PAGE) {
    let pa: number, perm: number;
    if (va >= DRIVER_TEXT_BASE && va < DRIVER_TEXT_BASE + imageSize) [pa, perm] = [base + (va - DRIVER_TEXT_BASE), imagePerm(segs, va)];
    else if (va >= STACK_BOTTOM) [pa, perm] = [stack + (va - STACK_BOTTOM), PERM_R | PERM_W];
    else if (guard && va === STACK_BOTTOM - PAGE) continue;
    else {
      pa = base + (va - DRIVER_TEXT_BASE);
      if (pa < ram.ramBase || !ram.isRam(pa, PAGE)) continue;
      perm = domain ? PERM_R : PERM_R | PERM_W;
    }
    if (!mapPage(km, root, va, pa, perm)) return false;
  }
  return true;
}
