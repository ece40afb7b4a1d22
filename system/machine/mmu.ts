/*
 * Sv32 address translation and the TLB.
 *
 * The TLB is direct-mapped and split by access type (read, write, execute): each entry holds the
 * virtual page number it maps and the byte offset of the physical page in RAM. An entry is only
 * filled after the full permission check for the current privilege, SUM and MXR, so a hit needs
 * no further checks; anything that changes those inputs (satp, sfence.vma, a privilege change,
 * mstatus SUM/MXR/MPRV/MPP) flushes it. Only RAM pages are cached: MMIO and watched pages always
 * take the slow path.
 *
 * A/D policy (the spec lets the implementation choose): the hardware never sets A or D. An
 * access to a page whose PTE has A=0, or a store to one with D=0, raises the page fault
 * (the Svade behaviour); software sets A/D. This keeps page tables unchanged by hardware, so
 * the kernel can check them for corruption.
 */
import { Cause, Mode } from "./trap.js";

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

export const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}

export const PTE_V = 1;
export const PTE_R = 2;
export const PTE_W = 4;
export const PTE_X = 8;
export const PTE_U = 16;
export const PTE_G = 32;
export const PTE_A = 64;
export const PTE_D = 128;

export class Tlb {
  /** Virtual page number cached for reads / writes / fetches, -1 when empty. */
  readonly tagR = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagW = new Int32Array(TLB_SIZE).fill(-1);
  readonly tagX = new Int32Array(TLB_SIZE).fill(-1);
  /** Byte offset in RAM of the physical page, per access type. */
  readonly offR = new Int32Array(TLB_SIZE);
  readonly offW = new Int32Array(TLB_SIZE);
  readonly offX = new Int32Array(TLB_SIZE);
  /** Number of flushes and misses, and page-table entries read by the walks the misses caused, for statistics. */
  flushes = 0;
  misses = 0;
  walkReads = 0;

  flush(): void {
    this.tagR.fill(-1);
    this.tagW.fill(-1);
    this.tagX.fill(-1);
    this.flushes++;
  }

  fill(access: Access, vpn: number, ramOff: number): void {
    const i = vpn & TLB_MASK;
    if (access === Access.Read) {
      this.tagR[i] = vpn;
      this.offR[i] = ramOff;
    } else if (access === Access.Write) {
      this.tagW[i] = vpn;
      this.offW[i] = ramOff;
    } else {
      this.tagX[i] = vpn;
      this.offX[i] = ramOff;
    }
  }

  /** Plain copy of the TLB (for snapshots). */
  snapshot(): Int32Array[] {
    return [this.tagR, this.tagW, this.tagX, this.offR, this.offW, this.offX].map((a) => a.slice());
  }

  restore(s: Int32Array[]): void {
    [this.tagR, this.tagW, this.tagX, this.offR, this.offW, this.offX].forEach((a, i) => a.set(s[i]));
  }
}

/** The inputs of a translation. */
export interface WalkEnv {
  satp: number;
  /** Effective privilege of the access (MPRV already applied for data). */
  priv: number;
  sum: boolean;
  mxr: boolean;
  /** Reads a physical 32-bit word for the walker; undefined when not RAM. */
  readPhys(pa: number): number | undefined;
}

/** Result of a walk: physical address >= 0, or a negative value -(cause+1) for a fault. */
export type WalkResult = number;

/** Cause of a fault result of walk(). */
export const walkFaultCause = (r: WalkResult): number => -r - 1;

const pageFault = (a: Access): number => -((a === Access.Exec ? Cause.InsnPageFault : a === Access.Read ? Cause.LoadPageFault : Cause.StorePageFault) + 1);
const accessFault = (a: Access): number => -((a === Access.Exec ? Cause.InsnAccessFault : a === Access.Read ? Cause.LoadAccessFault : Cause.StoreAccessFault) + 1);

/**
 * Translates virtual address `va` (unsigned) for `access`. Returns the physical address (may
 * exceed 32 bits: Sv32 has 34-bit physical addresses) or a fault code, and counts page-table
 * reads in `levels` (for the cost model). Assumes translation is on (satp.MODE = Sv32, priv < M).
 */
export function walk(env: WalkEnv, va: number, access: Access, levels: { n: number }): WalkResult {
  let table = (env.satp & 0x3f_ffff) * 4096;
  for (let level = 1; level >= 0; level--) {
    const vpnPart = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
    levels.n++;
    const pte = env.readPhys(table + vpnPart * 4);
    if (pte === undefined) return accessFault(access);
    if (!(pte & PTE_V) || (!(pte & PTE_R) && pte & PTE_W)) return pageFault(access);
    const ppn = pte >>> 10;
    if (!(pte & (PTE_R | PTE_X))) {
      if (level === 0) return pageFault(access);
      table = ppn * 4096;
      continue;
    }
    if (!leafAllows(env, pte, access)) return pageFault(access);
    if (level === 1) {
      if (ppn & 0x3ff) return pageFault(access); // misaligned superpage
      return (ppn >>> 10) * 0x40_0000 + (va & 0x3f_ffff);
    }
    return ppn * 4096 + (va & 0xfff);
  }
  return pageFault(access);
}

/** Permission, U/S, SUM, MXR and A/D checks of a leaf PTE. */
function leafAllows(env: WalkEnv, pte: number, access: Access): boolean {
  const user = (pte & PTE_U) !== 0;
  if (env.priv === Mode.U && !user) return false;
  if (env.priv === Mode.S && user && (access === Access.Exec || !env.sum)) return false;
  if (!(pte & PTE_A)) return false;
  if (access === Access.Exec) return (pte & PTE_X) !== 0;
  if (access === Access.Read) return (pte & PTE_R) !== 0 || (env.mxr && (pte & PTE_X) !== 0);
  return (pte & PTE_W) !== 0 && (pte & PTE_D) !== 0;
}
