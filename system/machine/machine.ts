/*
 * The whole machine: RAM and bus, the clock and its events, DMA (with the IOMMU, whose fault
 * line goes to the PLIC), the hart, and the devices (CLINT, PLIC, console UART, ATA disk,
 * system control ports), wired together.
 *
 * The host loop owns time: run(until) hands the CPU slices that end at the next event, dispatches
 * due events to the devices, fast-forwards through WFI, and in hosted mode hands every trap and
 * interrupt to the host handler (the TypeScript kernel). snapshot()/restore() copy the whole
 * state; stateHash() proves two runs ended identically.
 */
import { createHash, type Hash } from "node:crypto";
import { Bus } from "./bus.js";
import { Clock, type ClockState } from "./clock.js";
import { Cpu, Stop, type CpuSnapshot } from "./cpu.js";
import type { Device, DeviceContext, DeviceRecord, HaltRecord } from "./device.js";
import type { Ata } from "./devices/ata.js";
import { Clint } from "./devices/clint.js";
import { Plic } from "./devices/plic.js";
import { Sysctl } from "./devices/sysctl.js";
import { Uart } from "./devices/uart.js";
import { PERIPHERALS, type Peripheral } from "./devices/index.js";
import { Dma, type DmaState } from "./dma.js";
import { IRQ_IOMMU, RAM_BASE, RAM_SIZE_DEFAULT } from "./memmap.js";
import { Access } from "./mmu.js";

export interface MachineOptions {
  /** RAM size in bytes (multiple of 4 KiB); 16 MiB by default. */
  ramSize?: number;
  /** Disk size in 512-byte sectors (default 8192 = 4 MiB), or an initial image. */
  disk?: number | Uint8Array;
  /** Hosted mode: traps go to the host handler instead of the guest's trap vector. */
  hosted?: boolean;
  /** The peripherals, in order (default: an ATA disk of `disk`); platform devices are always there. */
  peripherals?: Peripheral[];
}

/** Why run() returned. */
export type MachineStop =
  | "limit" // the clock reached `until`
  | "halt" // a device reset or powered off the machine (see halted)
  | "watch" // a watched address was written (see cpu.watchAddr)
  | "trap" // hosted mode without a handler, or the handler asked to stop
  | "breakpoint" // an execution breakpoint reached its stop count (cpu.pc is at it)
  | "idle"; // WFI with no event that could ever wake the CPU

/**
 * A host trap handler (hosted mode): reads cpu.trapCause/trapTval/trapInterrupt, changes
 * registers, memory, mode and pc, and returns; returning "stop" makes run() return "trap".
 */
export type HostHandler = (m: Machine) => void | "stop";

/** One executed instruction, for --trace. */
export type TraceFn = (pc: number, insn: number | undefined, mode: number, cycle: number) => void;

export interface MachineSnapshot {
  ram: Uint8Array;
  cpu: CpuSnapshot;
  clock: ClockState;
  dma: DmaState;
  devices: Record<string, unknown>;
  halted: HaltRecord | null;
}

export class Machine {
  readonly clock = new Clock();
  readonly bus: Bus;
  readonly dma: Dma;
  readonly cpu: Cpu;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart;
  readonly sysctl: Sysctl;
  readonly devices: Device[];
  /** Set when a device reset or powered off the machine; run() returns "halt" from then on. */
  halted: HaltRecord | null = null;
  hostHandler: HostHandler | null = null;
  trace: TraceFn | null = null;
  private readonly byName = new Map<string, Device>();

  constructor(opts: MachineOptions = {}) {
    this.bus = new Bus(RAM_BASE, opts.ramSize ?? RAM_SIZE_DEFAULT);
    this.dma = new Dma(this.bus.ram, this.bus.ramBase, (level) => this.plic.setLevel(IRQ_IOMMU, level));
    this.cpu = new Cpu(this.bus, this.clock.state);
    this.cpu.hosted = opts.hosted ?? false;
    const ctx: DeviceContext = {
      clock: this.clock,
      dma: this.dma,
      setIrq: (line, level) => this.plic.setLevel(line, level),
      setCpuPending: (bit, level) => this.cpu.setPending(bit, level),
      halt: (kind, reason) => {
        this.halted ??= { kind, reason, at: this.clock.now };
      },
    };
    this.clint = new Clint(ctx);
    this.plic = new Plic(ctx);
    this.uart = new Uart(ctx);
    const peripherals = (opts.peripherals ?? [PERIPHERALS.ata({ disk: opts.disk })]).flatMap((make) => make(ctx));
    this.sysctl = new Sysctl(ctx);
    this.devices = [this.clint, this.plic, this.uart, ...peripherals, this.sysctl];
    for (const d of this.devices) {
      this.bus.attach(d);
      this.byName.set(d.name, d);
    }
    this.cpu.timeSource = () => this.clint.mtime();
  }

  /** The device named `name`, if the machine has one. */
  device<D extends Device = Device>(name: string): D | undefined {
    return this.byName.get(name) as D | undefined;
  }

  /** The ATA disk controller (machine tests and tools; the system reads devices through records()). */
  get ata(): Ata {
    const d = this.device<Ata>("ata");
    if (!d) throw new Error("bulkhead: this machine has no ATA controller");
    return d;
  }

  /** What each device recorded for oracles, by device name (live views). */
  records(): Record<string, DeviceRecord> {
    const out: Record<string, DeviceRecord> = {};
    for (const d of this.devices) {
      const r = d.record?.();
      if (r) out[d.name] = r;
    }
    return out;
  }

  /** Copies `data` into physical memory at `pa`, zero-filling up to `memsz`; false if not RAM. */
  load(pa: number, data: Uint8Array, memsz = data.length): boolean {
    if (!this.bus.isRam(pa, Math.max(memsz, data.length))) return false;
    const off = (pa >>> 0) - this.bus.ramBase;
    this.bus.ram.set(data, off);
    this.bus.ram.fill(0, off + data.length, off + memsz);
    return true;
  }

  /**
   * Runs until the clock reaches `until` (absolute cycle) or something stops the machine.
   * Devices' events fire at their cycle; WFI skips ahead to the next event.
   */
  run(until: number): MachineStop {
    const clock = this.clock;
    for (;;) {
      this.dispatchEvents();
      if (this.halted) return "halt";
      if (clock.now >= until) return "limit";
      const sliceEnd = Math.min(until, clock.nextEventAt());
      const r = this.trace ? this.step(sliceEnd) : this.cpu.run(sliceEnd);
      if (r === Stop.Trap) {
        if (!this.hostHandler || this.hostHandler(this) === "stop") return "trap";
      } else if (r === Stop.Watch) return "watch";
      else if (r === Stop.Breakpoint) return "breakpoint";
      else if (r === Stop.Wfi) {
        const next = clock.nextEventAt();
        if (next === Infinity) return "idle";
        clock.state.now = Math.min(next, until);
      }
    }
  }

  /** Runs one instruction at a time through the trace hook (slow; for --trace only). */
  private step(sliceEnd: number): Stop {
    const cpu = this.cpu;
    for (;;) {
      // A guest-vectored interrupt is taken first, so the traced pc is the one that executes.
      if (!cpu.hosted && cpu.pendingInterrupt() >= 0) cpu.run(this.clock.now);
      const pc = cpu.pc;
      const mode = cpu.mode;
      const at = this.clock.now;
      const pa = cpu.translate(pc, Access.Exec, false);
      const insn = pa >= 0 && this.bus.isRam(pa, 4) ? this.bus.ram32[(pa - this.bus.ramBase) >>> 2] : undefined;
      const r = cpu.run(at + 1);
      if (r !== Stop.Wfi && !(r === Stop.Trap && cpu.trapInterrupt)) this.trace!(pc, insn, mode, at);
      if (r !== Stop.Limit || this.clock.now >= sliceEnd) return r;
    }
  }

  private dispatchEvents(): void {
    for (let ev = this.clock.popDue(); ev; ev = this.clock.popDue()) this.byName.get(ev.target)?.onEvent?.(ev.kind, ev.arg);
  }

  /** Reads `len` bytes of physical RAM at `pa` (copy); undefined when not RAM. */
  readPhys(pa: number, len: number): Uint8Array | undefined {
    if (!this.bus.isRam(pa, len)) return undefined;
    const off = (pa >>> 0) - this.bus.ramBase;
    return this.bus.ram.slice(off, off + len);
  }

  snapshot(): MachineSnapshot {
    const devices: Record<string, unknown> = {};
    for (const d of this.devices) devices[d.name] = d.snapshot();
    return {
      ram: this.bus.ram.slice(),
      cpu: this.cpu.snapshot(),
      clock: this.clock.snapshot(),
      dma: this.dma.snapshot(),
      devices,
      halted: this.halted && { ...this.halted },
    };
  }

  /**
   * Restores a snapshot of this machine (same RAM size), copying into the existing buffers. With
   * `ramChanged` (from stateHash against this very snapshot, with RAM untouched since), only the
   * RAM chunks it flags are copied: the rest is known equal.
   */
  restore(s: MachineSnapshot, ramChanged?: RamChanges): void {
    if (ramChanged && ramChanged.ref === s.ram) {
      const flags = ramChanged.chunks;
      for (let c = 0; c < flags.length; c++) if (flags[c]) this.bus.ram.set(s.ram.subarray(c * CHUNK, (c + 1) * CHUNK), c * CHUNK);
    } else this.bus.ram.set(s.ram);
    this.cpu.restore(s.cpu);
    this.clock.restore(s.clock);
    this.dma.restore(s.dma);
    for (const d of this.devices) d.restore(s.devices[d.name]);
    this.halted = s.halted && { ...s.halted };
  }

  /**
   * SHA-256 over RAM, CPU, clock, IOMMU (windows and fault log) and device state (hex). Equal hashes = equal states.
   * Large buffers (RAM, the disk) are hashed page by page (a hash of page digests); given a
   * snapshot `ref` to compare with, pages equal to the snapshot's reuse its cached digests, so
   * hashing a state close to a snapshot costs a memory compare plus the changed pages. The value
   * does not depend on `ref`.
   */
  stateHash(ref?: MachineSnapshot, ramChanged?: RamChanges): string {
    const h = createHash("sha256");
    hashPaged(h, this.bus.ram, ref?.ram, undefined, ramChanged);
    const c = this.cpu;
    hashValue(h, { x: c.x, pc: c.pc, mode: c.mode, wfi: c.wfi, retired: c.retired, csr: c.csr, owner: c.owner, domain: c.domain, foreign: c.foreign });
    if (c.sfi) hashValue(h, { sfiChecks: c.sfiChecks }); // only machines with software checks have the counter
    hashValue(h, { clock: this.clock.state, dma: this.dma.iommu, iommuFaults: this.dma.faults, halted: this.halted });
    // A device that knows which of its pages can differ from the snapshot's (a disk) has only those compared.
    for (const d of this.devices) {
      h.update(d.name);
      const snap = ref?.devices[d.name];
      hashValue(h, d.state, snap, snap === undefined ? undefined : d.changedPagesSince?.(snap));
    }
    return h.digest("hex");
  }
}

const PAGE = 4096;
const DIGEST = 32;
/** Pages compared at once before looking at single pages (changed pages are few and clustered). */
const CHUNK = 16 * PAGE;
/**
 * Which CHUNK-sized pieces of RAM differ from the snapshot RAM `ref`, as a state hash against
 * `ref` found them (ref undefined: not known). Valid only while RAM is not written: a restore to
 * `ref` right after the hash then copies just these chunks (campaigns/execute.ts).
 */
export interface RamChanges {
  ref: Uint8Array | undefined;
  chunks: Uint8Array;
}

/** An empty record for RAM of `ramSize` bytes. */
export const ramChanges = (ramSize: number): RamChanges => ({ ref: undefined, chunks: new Uint8Array(Math.ceil(ramSize / CHUNK)) });

/** The digests of a snapshot buffer's pages, concatenated; computed once per buffer. */
const pageDigestCache = new WeakMap<Uint8Array, Buffer>();

function pageDigest(buf: Uint8Array, off: number): Buffer {
  return createHash("sha256").update(buf.subarray(off, off + PAGE)).digest();
}

const asBuffer = (a: Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function allDigests(buf: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(buf.length / PAGE) * DIGEST);
  for (let off = 0, i = 0; off < buf.length; off += PAGE, i++) pageDigest(buf, off).copy(out, i * DIGEST);
  return out;
}

/**
 * For one snapshot buffer `ref`, the pages (one byte each, nonzero = may differ) that can differ
 * from it; the others are known equal and not compared.
 */
type Hints = { ref: Uint8Array; pages: Uint8Array };

/**
 * Feeds the digests of `buf`'s pages to `h` (one update: SHA-256 of the concatenation). Given
 * `ref`, a snapshot of the same buffer, pages equal to its pages take its cached digests, found
 * by comparing chunks first, then the pages of chunks that differ (only pages `hints` says may
 * differ, when it knows `ref`).
 */
function hashPaged(h: Hash, buf: Uint8Array, ref?: Uint8Array, hints?: Hints, changed?: RamChanges): void {
  h.update(`<paged:${buf.length}>`);
  if (changed) changed.ref = undefined;
  if (!ref || ref.length !== buf.length) return void h.update(allDigests(buf));
  let known = pageDigestCache.get(ref);
  if (!known) {
    known = allDigests(ref);
    pageDigestCache.set(ref, known);
  }
  const digests = Buffer.from(known);
  const b = asBuffer(buf);
  const r = asBuffer(ref);
  /** The page at `off`: its own digest if it differs from ref's. */
  const check = (off: number) => {
    const end = Math.min(off + PAGE, buf.length);
    if (b.compare(r, off, end, off, end) !== 0) pageDigest(buf, off).copy(digests, (off / PAGE) * DIGEST);
  };
  const maybe = hints?.ref === ref ? hints.pages : undefined;
  if (maybe) {
    for (let p = 0; p < maybe.length; p++) if (maybe[p]) check(p * PAGE);
  } else
    for (let chunk = 0; chunk < buf.length; chunk += CHUNK) {
      const chunkEnd = Math.min(chunk + CHUNK, buf.length);
      const same = b.compare(r, chunk, chunkEnd, chunk, chunkEnd) === 0;
      if (changed) changed.chunks[chunk / CHUNK] = same ? 0 : 1;
      if (same) continue;
      for (let off = chunk; off < chunkEnd; off += PAGE) check(off);
    }
  h.update(digests);
  if (changed && !maybe) changed.ref = ref;
}

/**
 * Feeds a JSON-like value to a hash, in a fixed order. Typed arrays are hashed as raw bytes,
 * large ones page by page (against the matching array of `ref`, a snapshot of the same value).
 */
function hashValue(h: Hash, v: unknown, ref?: unknown, hints?: Hints): void {
  if (ArrayBuffer.isView(v)) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    if (bytes.length >= 16 * PAGE) return hashPaged(h, bytes, ref instanceof Uint8Array ? ref : undefined, hints);
    h.update(`<${v.constructor.name}:${v.byteLength}>`);
    h.update(bytes);
  } else if (Array.isArray(v)) {
    h.update("[");
    for (const e of v) hashValue(h, e);
    h.update("]");
  } else if (v !== null && typeof v === "object") {
    h.update("{");
    const r = ref !== null && typeof ref === "object" ? (ref as Record<string, unknown>) : undefined;
    for (const k of Object.keys(v).sort()) {
      h.update(k);
      hashValue(h, (v as Record<string, unknown>)[k], r?.[k], hints);
    }
    h.update("}");
  } else h.update(JSON.stringify(v) ?? "undefined");
}
