/*
 * A run's event counters: what the system did between two moments, from the machine's counters
 * (instructions retired, TLB flushes and misses, DMA bytes) and the kernel's (each kind of kernel
 * work it charged, with the cycles charged, and the cycles spent idle). runWorkload reports the
 * difference over the run (Observations.counters); campaigns store it with the golden runs.
 */
import { COST_KINDS, OPTIONAL_COST_KINDS, type CostKind } from "./kernel/costs.js";
import type { System } from "./system.js";

export interface RunCounters {
  /** Cycles of the run, and those the CPU was not idle (waiting in the idle loop for an interrupt). */
  cycles: number;
  busyCycles: number;
  instructions: number;
  /** Kernel entries: traps and interrupts. */
  traps: number;
  /** Calls into the kernel by code running in it (a driver in a kernel address space): no trap. */
  functionCalls: number;
  kernelCalls: number;
  /** IPC primitives (send, receive, notify, ...) and messages copied between address spaces. */
  ipcOps: number;
  messagesCopied: number;
  contextSwitches: number;
  addressSpaceSwitches: number;
  tlbFlushes: number;
  /** TLB misses, each a page walk by the hardware walker, and the page-table entries those walks read. */
  tlbMisses: number;
  pageWalkReads: number;
  /** Bytes the kernel copied for processes (SAFECOPY, SDEVIO), messages excluded. */
  kernelCopyBytes: number;
  /** Port accesses the kernel made for processes (SYS_DEVIO and friends). */
  portAccesses: number;
  interrupts: number;
  /** Bytes devices moved by DMA. */
  dmaBytes: number;
  /** Cycles the kernel's cost model charged, per cost name: where the kernel's time went. */
  charged: Record<CostKind, number>;
}

/** The absolute values of every counter now (a run's counters are a difference of two of these). */
export function readCounters(sys: System): RunCounters {
  const k = sys.kernel.state;
  const m = sys.machine;
  const idle = k.idleCycles + (k.idleSince >= 0 ? m.clock.now - k.idleSince : 0);
  return {
    cycles: m.clock.now,
    busyCycles: m.clock.now - idle,
    instructions: m.cpu.retired,
    traps: k.counts.kernelEntry,
    functionCalls: k.counts.functionCall,
    kernelCalls: k.counts.kernelCall,
    ipcOps: k.counts.ipcOp,
    messagesCopied: k.counts.messageCopy,
    contextSwitches: k.counts.contextSwitch,
    addressSpaceSwitches: k.counts.addressSpaceSwitch,
    tlbFlushes: m.cpu.tlb.flushes,
    tlbMisses: m.cpu.tlb.misses,
    pageWalkReads: m.cpu.tlb.walkReads,
    kernelCopyBytes: k.counts.copyByte,
    portAccesses: k.counts.portAccess,
    interrupts: k.counts.interrupt,
    dmaBytes: m.dma.bytes,
    // The software checks of software-isolated processes are charged by the CPU itself (cpu.ts sfi).
    charged: m.cpu.sfi ? { ...k.charged, sfiCheck: m.cpu.sfiChecks * m.cpu.sfiCycles } : { ...k.charged },
  };
}

/** Counters from `a` to `b` (b − a, field by field). */
export function countersBetween(a: RunCounters, b: RunCounters): RunCounters {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(b) as Array<keyof RunCounters>) {
    if (key === "charged") {
      const kinds = [...COST_KINDS, ...OPTIONAL_COST_KINDS.filter((c) => b.charged[c] !== undefined)];
      out.charged = Object.fromEntries(kinds.map((c) => [c, b.charged[c] - (a.charged[c] ?? 0)]));
    }
    else out[key] = (b[key] as number) - (a[key] as number);
  }
  return out as unknown as RunCounters;
}
