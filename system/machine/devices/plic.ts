/*
 * PLIC: the platform-level interrupt controller, standard (SiFive) register layout, 31 sources
 * and two contexts of hart 0: context 0 = M-mode (drives MIP.MEIP), context 1 = S-mode (drives
 * MIP.SEIP).
 *
 * Sources are level-triggered lines driven through setLevel (the machine routes
 * DeviceContext.setIrq here). A source is pending while its line is high and it is not in
 * service; a claim picks the highest-priority pending enabled source above the context's
 * threshold (ties: lowest id), clears its pending bit and puts it in service; a complete ends
 * service, and a line still high makes the source pending again. After every change the two
 * output lines are recomputed.
 */
import type { AccessSize, Device, DeviceContext, Region } from "../device.js";
import { PLIC_BASE, PLIC_SIZE } from "../memmap.js";

/** Register offsets inside the PLIC region. */
export const PLIC_PRIORITY = 0x000000; // + 4 * source
export const PLIC_PENDING = 0x001000;
export const PLIC_ENABLE = 0x002000; // + 0x80 * context
export const PLIC_THRESHOLD = 0x200000; // + 0x1000 * context
export const PLIC_CLAIM = 0x200004; // + 0x1000 * context
const ENABLE_STRIDE = 0x80;
const CONTEXT_STRIDE = 0x1000;

/** Number of sources + 1 (source 0 means "none"). */
export const PLIC_SOURCES = 32;
export const PLIC_CONTEXTS = 2;
const PRIORITY_MASK = 7;
/** MIP bit driven by each context: MEIP, SEIP. */
const CONTEXT_MIP_BIT = [11, 9];

export interface PlicState {
  /** Priority 0..7 per source (0 = never interrupts). Written by the guest. */
  priority: Uint8Array;
  /** Current line level per source, driven by devices. */
  level: Uint8Array;
  /** Pending bits (bit n = source n). */
  pending: number;
  /** In-service bits: claimed and not yet completed. */
  inService: number;
  /** Enable bits per context. */
  enable: Uint32Array;
  /** Threshold 0..7 per context. */
  threshold: Uint8Array;
  /** Output level last driven per context (0/1). */
  out: Uint8Array;
}

function powerOnState(): PlicState {
  return {
    priority: new Uint8Array(PLIC_SOURCES),
    level: new Uint8Array(PLIC_SOURCES),
    pending: 0,
    inService: 0,
    enable: new Uint32Array(PLIC_CONTEXTS),
    threshold: new Uint8Array(PLIC_CONTEXTS),
    out: new Uint8Array(PLIC_CONTEXTS),
  };
}

export class Plic implements Device {
  readonly name = "plic";
  readonly mmio: Region[] = [{ base: PLIC_BASE, size: PLIC_SIZE }];
  readonly ports: Region[] = [];
  state: PlicState = powerOnState();

  /** Builds a PLIC in its power-on state (all masked); drives no line until used. */
  constructor(private readonly ctx: DeviceContext) {}

  /** Drives source line `source` (1..31) to `level`; other numbers are ignored. */
  setLevel(source: number, level: boolean): void {
    if (!(source >= 1 && source < PLIC_SOURCES)) return;
    this.state.level[source] = level ? 1 : 0;
    this.gateway(source);
    this.update();
  }

  /** Claims for `context` (0 = M, 1 = S): returns the source id now in service, or 0. */
  claim(context: number): number {
    if (!(context >= 0 && context < PLIC_CONTEXTS)) return 0;
    const id = this.best(context);
    if (id === 0) return 0;
    const bit = 1 << id;
    this.state.pending &= ~bit;
    this.state.inService |= bit;
    this.update();
    return id;
  }

  /** Completes service of source `id` for `context`; ids not in service are ignored. */
  complete(context: number, id: number): void {
    if (!(context >= 0 && context < PLIC_CONTEXTS && id >= 1 && id < PLIC_SOURCES)) return;
    const bit = 1 << id;
    if (!(this.state.inService & bit)) return;
    this.state.inService &= ~bit;
    this.gateway(id);
    this.update();
  }

  /** Reads a register; sub-word reads return bytes of the containing word. */
  mmioRead(_region: number, offset: number, size: AccessSize): number {
    const word = this.readWord(offset & ~3);
    if (size === 4) return word >>> 0;
    return (word >>> ((offset & 3) * 8)) & (size === 2 ? 0xffff : 0xff);
  }

  /** Writes a register; a sub-word write merges into the containing word (claim not triggered). */
  mmioWrite(_region: number, offset: number, value: number, size: AccessSize): void {
    const aligned = offset & ~3;
    if (size !== 4) {
      const shift = (offset & 3) * 8;
      const mask = (size === 2 ? 0xffff : 0xff) << shift;
      value = (this.peekWord(aligned) & ~mask) | ((value << shift) & mask);
    }
    this.writeWord(aligned, value >>> 0);
  }

  /** Power-on: everything masked and idle; both outputs driven low. */
  reset(): void {
    this.state = powerOnState();
    for (let c = 0; c < PLIC_CONTEXTS; c++) this.ctx.setCpuPending(CONTEXT_MIP_BIT[c], false);
  }

  snapshot(): PlicState {
    const s = this.state;
    return {
      ...s,
      priority: s.priority.slice(),
      level: s.level.slice(),
      enable: s.enable.slice(),
      threshold: s.threshold.slice(),
      out: s.out.slice(),
    };
  }

  restore(snap: unknown): void {
    const { priority, level, enable, threshold, out, ...rest } = snap as PlicState;
    const s = this.state;
    Object.assign(s, rest);
    s.priority.set(priority);
    s.level.set(level);
    s.enable.set(enable);
    s.threshold.set(threshold);
    s.out.set(out);
  }

  private readWord(offset: number): number {
    const c = this.claimContext(offset);
    if (c >= 0) return this.claim(c);
    return this.peekWord(offset);
  }

  /** Register value without side effects (the claim register peeks as 0). */
  private peekWord(offset: number): number {
    const s = this.state;
    if (offset < PLIC_PRIORITY + 4 * PLIC_SOURCES) return s.priority[offset >> 2];
    switch (offset) {
      case PLIC_PENDING:
        return s.pending >>> 0;
      case PLIC_ENABLE:
      case PLIC_ENABLE + ENABLE_STRIDE:
        return s.enable[(offset - PLIC_ENABLE) / ENABLE_STRIDE];
      case PLIC_THRESHOLD:
      case PLIC_THRESHOLD + CONTEXT_STRIDE:
        return s.threshold[(offset - PLIC_THRESHOLD) / CONTEXT_STRIDE];
      default:
        return 0;
    }
  }

  private writeWord(offset: number, value: number): void {
    const s = this.state;
    if (offset < PLIC_PRIORITY + 4 * PLIC_SOURCES) {
      if (offset !== 0) s.priority[offset >> 2] = value & PRIORITY_MASK;
      return this.update();
    }
    switch (offset) {
      case PLIC_ENABLE:
      case PLIC_ENABLE + ENABLE_STRIDE:
        s.enable[(offset - PLIC_ENABLE) / ENABLE_STRIDE] = value & ~1;
        return this.update();
      case PLIC_THRESHOLD:
      case PLIC_THRESHOLD + CONTEXT_STRIDE:
        s.threshold[(offset - PLIC_THRESHOLD) / CONTEXT_STRIDE] = value & PRIORITY_MASK;
        return this.update();
      case PLIC_CLAIM:
      case PLIC_CLAIM + CONTEXT_STRIDE:
        return this.complete((offset - PLIC_CLAIM) / CONTEXT_STRIDE, value);
      default:
        return;
    }
  }

  private claimContext(offset: number): number {
    if (offset === PLIC_CLAIM) return 0;
    if (offset === PLIC_CLAIM + CONTEXT_STRIDE) return 1;
    return -1;
  }

  /** The level gateway: pending follows the line while the source is not in service. */
  private gateway(source: number): void {
    const bit = 1 << source;
    if (this.state.inService & bit) return;
    if (this.state.level[source]) this.state.pending |= bit;
    else this.state.pending &= ~bit;
  }

  /** Highest-priority pending enabled source above the threshold of `context` (ties: lowest id), or 0. */
  private best(context: number): number {
    const s = this.state;
    const candidates = s.pending & s.enable[context];
    let id = 0;
    let prio = s.threshold[context];
    for (let n = 1; n < PLIC_SOURCES; n++) {
      if (candidates & (1 << n) && s.priority[n] > prio) {
        id = n;
        prio = s.priority[n];
      }
    }
    return id;
  }

  /** Recomputes both output lines, driving MIP only on a change. */
  private update(): void {
    for (let c = 0; c < PLIC_CONTEXTS; c++) {
      const level = this.best(c) !== 0 ? 1 : 0;
      if (level !== this.state.out[c]) {
        this.state.out[c] = level;
        this.ctx.setCpuPending(CONTEXT_MIP_BIT[c], level === 1);
      }
    }
  }
}
