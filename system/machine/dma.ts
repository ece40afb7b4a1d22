/*
 * Direct memory access: how devices read and write physical RAM. Every access is tagged with the
 * device that made it, may be refused by the IOMMU (state as data: per-device windows), and is
 * reported to an optional observer (used later to track which memory a driver's DMA wrote).
 */
export interface IommuState {
  enabled: boolean;
  /** Per device name: physical [base, size) windows it may access. */
  windows: Record<string, Array<[number, number]>>;
}

export type DmaObserver = (device: string, paddr: number, len: number, write: boolean) => void;

export class Dma {
  iommu: IommuState = { enabled: false, windows: {} };
  /** Number of refused accesses, for diagnostics. */
  refused = 0;
  observer: DmaObserver | null = null;

  constructor(
    private readonly ram: Uint8Array,
    private readonly ramBase: number,
  ) {}

  /** True when `device` may touch [paddr, paddr+len) of RAM. */
  allowed(device: string, paddr: number, len: number): boolean {
    const off = paddr - this.ramBase;
    if (len < 0 || off < 0 || off + len > this.ram.length) return false;
    if (!this.iommu.enabled) return true;
    const w = this.iommu.windows[device];
    if (!w) return false;
    return w.some(([b, s]) => paddr >= b && paddr + len <= b + s);
  }

  /** Copies len bytes at paddr into dst; false (and nothing copied) when refused. */
  read(device: string, paddr: number, dst: Uint8Array): boolean {
    if (!this.allowed(device, paddr, dst.length)) {
      this.refused++;
      return false;
    }
    const off = paddr - this.ramBase;
    dst.set(this.ram.subarray(off, off + dst.length));
    this.observer?.(device, paddr, dst.length, false);
    return true;
  }

  /** Copies src to RAM at paddr; false (and nothing written) when refused. */
  write(device: string, paddr: number, src: Uint8Array): boolean {
    if (!this.allowed(device, paddr, src.length)) {
      this.refused++;
      return false;
    }
    this.ram.set(src, paddr - this.ramBase);
    this.observer?.(device, paddr, src.length, true);
    return true;
  }

  snapshot(): IommuState {
    return structuredClone(this.iommu);
  }

  restore(s: IommuState): void {
    this.iommu = structuredClone(s);
  }
}
