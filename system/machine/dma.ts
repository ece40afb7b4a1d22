/*
 * Direct memory access: how devices read and write physical RAM. Every access is tagged with the
 * device that made it, may be refused by the IOMMU (state as data: per-device windows), and is
 * reported to an optional observer (used to track which memory a driver's DMA wrote).
 *
 * IOMMU faults, after Intel VT-d's fault recording: when the IOMMU is on and refuses an access,
 * the device gets the refusal as before (its transfer fails: for the ATA engine an error and ABRT)
 * and the IOMMU also records the fault — device, address, length, read or write — in one of
 * IOMMU_FAULT_RECORDS records, and holds its interrupt line (IRQ_IOMMU) high while a record is
 * pending. A fault that finds every record taken is only counted (VT-d's primary fault
 * overflow). The kernel takes the records (takeFaults), which clears them and lowers the line.
 * With the IOMMU off, a refusal (an address outside RAM) is a bus error the device sees and
 * nothing records. The fault log is state: snapshots copy it and the state hash covers it.
 */
export interface IommuState {
  enabled: boolean;
  /** Per device name: physical [base, size) windows it may access. */
  windows: Record<string, Array<[number, number]>>;
}

/** One refused access, as the IOMMU records it. */
export interface IommuFault {
  device: string;
  /** Physical address and length (bytes) of the access the IOMMU refused. */
  address: number;
  length: number;
  /** The device was writing memory (a disk read), else reading it. */
  write: boolean;
}

/** The IOMMU's fault status: records not yet taken by the kernel, and faults lost since. */
export interface IommuFaultLog {
  /** Oldest first; at most IOMMU_FAULT_RECORDS. */
  records: IommuFault[];
  /** Faults refused while every record was pending (not recorded). */
  overflow: number;
}

/** The DMA unit's state as snapshots hold it. */
export interface DmaState {
  iommu: IommuState;
  faults: IommuFaultLog;
}

/** Fault recording records (VT-d implementations have a handful; 8 is common). */
export const IOMMU_FAULT_RECORDS = 8;

export type DmaObserver = (device: string, paddr: number, len: number, write: boolean) => void;

export class Dma {
  iommu: IommuState = { enabled: false, windows: {} };
  faults: IommuFaultLog = { records: [], overflow: 0 };
  /** Number of refused accesses, for diagnostics. */
  refused = 0;
  /** Bytes moved by allowed accesses (a run's counters take differences; not state). */
  bytes = 0;
  observer: DmaObserver | null = null;

  /** `faultLine` drives the IOMMU's interrupt line (the machine wires it to the PLIC). */
  constructor(
    private readonly ram: Uint8Array,
    private readonly ramBase: number,
    private readonly faultLine: (level: boolean) => void = () => {},
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
    if (!this.allowed(device, paddr, dst.length)) return this.refuse(device, paddr, dst.length, false);
    const off = paddr - this.ramBase;
    dst.set(this.ram.subarray(off, off + dst.length));
    this.bytes += dst.length;
    this.observer?.(device, paddr, dst.length, false);
    return true;
  }

  /** Copies src to RAM at paddr; false (and nothing written) when refused. */
  write(device: string, paddr: number, src: Uint8Array): boolean {
    if (!this.allowed(device, paddr, src.length)) return this.refuse(device, paddr, src.length, true);
    this.ram.set(src, paddr - this.ramBase);
    this.bytes += src.length;
    this.observer?.(device, paddr, src.length, true);
    return true;
  }

  /** Counts a refusal and, with the IOMMU on, records it as a fault and raises the fault line. */
  private refuse(device: string, paddr: number, len: number, write: boolean): false {
    this.refused++;
    if (!this.iommu.enabled) return false;
    const log = this.faults;
    if (log.records.length < IOMMU_FAULT_RECORDS) log.records.push({ device, address: paddr >>> 0, length: len, write });
    else log.overflow++;
    this.faultLine(true);
    return false;
  }

  /** The pending fault records and the overflow count; clears them and lowers the fault line. */
  takeFaults(): IommuFaultLog {
    const taken = this.faults;
    this.faults = { records: [], overflow: 0 };
    this.faultLine(false);
    return taken;
  }

  snapshot(): DmaState {
    return { iommu: structuredClone(this.iommu), faults: structuredClone(this.faults) };
  }

  /** Restores a snapshot (the fault line's level is the interrupt controller's state, restored with it). */
  restore(s: DmaState): void {
    this.iommu = structuredClone(s.iommu);
    this.faults = structuredClone(s.faults);
  }
}
