/*
 * The seam between the machine and its devices (TinyEMU's iomem idea): a device owns MMIO
 * regions and/or port ranges and is reached only through read/write callbacks; it raises
 * interrupts through an IRQ line, schedules its own completions on the clock, and moves data
 * with DMA. The CPU never names a device.
 *
 * Device state is plain data, exposed by snapshot()/restore(), so a whole-machine snapshot is a
 * copy. Unknown offsets are harmless: reads return 0 (MMIO) or all-ones (ports, floating bus),
 * writes are ignored.
 */
import type { Clock } from "./clock.js";
import type { Dma } from "./dma.js";
import type { WireCounters } from "./network/wire.js";

export type AccessSize = 1 | 2 | 4;

export interface Region {
  base: number;
  size: number;
}

/** Why the machine stopped on its own (a device asked it to). */
export interface HaltRecord {
  kind: "reset" | "poweroff";
  /** Human-readable reason, e.g. "write 0x01 to port 0x92 (system control port A, fast reset)". */
  reason: string;
  /** Cycle at which it happened. */
  at: number;
}

/** What a device may ask of the machine it is plugged into. */
export interface DeviceContext {
  clock: Clock;
  dma: Dma;
  /** Drives PLIC source `line` to `level` (level-triggered). */
  setIrq(line: number, level: boolean): void;
  /** Drives a CPU interrupt-pending bit (MIP bit number) directly: CLINT timer/software. */
  setCpuPending(bit: number, level: boolean): void;
  /** Stops the machine (reset or power-off); the reason is recorded. */
  halt(kind: HaltRecord["kind"], reason: string): void;
}

/**
 * What a device recorded that an oracle judges: a disk's contents, a wire's counters and what the
 * host at its far end witnessed, the samples a sound card played, what a printer printed. A device-neutral view,
 * so workloads never name a device.
 */
export type DeviceRecord =
  | { kind: "disk"; image: Uint8Array }
  | { kind: "wire"; toPeer: WireCounters; toNic: WireCounters; peer: unknown }
  | { kind: "audio"; segments: AudioSegment[]; underruns: number }
  | { kind: "printer"; printed: Uint8Array; missed: number };

/**
 * A stretch of what a sound card played with one set of settings: a new segment begins whenever
 * the rate, format, DAC or a volume register changes, or after the DAC paused or stopped.
 */
export interface AudioSegment {
  /** Cycle at which its first frame was played. */
  at: number;
  /** The DAC that played it (the ES1371 has two: 1 and 2). */
  dac: number;
  /** Frames per second in force (from the sample-rate converter). */
  rate: number;
  channels: 1 | 2;
  bits: 8 | 16;
  /** The AC'97 codec's master (0x02) and PCM-out (0x18) registers in force: attenuation and mute. */
  master: number;
  pcm: number;
  /** The frames played, as read from memory (before volume), 16-bit signed (8-bit ones widened), L,R interleaved when stereo. */
  samples: Int16Array;
}

export interface Device {
  /** Unique name; also the target of its clock events. */
  readonly name: string;
  /** Physical MMIO regions it answers (offsets passed to mmio* are relative to region base). */
  readonly mmio: Region[];
  /** Port ranges it answers (ports passed to port* are absolute). */
  readonly ports: Region[];
  mmioRead?(regionIndex: number, offset: number, size: AccessSize): number;
  mmioWrite?(regionIndex: number, offset: number, value: number, size: AccessSize): void;
  portRead?(port: number, size: AccessSize): number;
  portWrite?(port: number, value: number, size: AccessSize): void;
  /** Handles one of its own clock events. */
  onEvent?(kind: string, arg: number): void;
  /** Power-on state. */
  reset(): void;
  /** A deep, JSON-cloneable (typed arrays allowed) copy of its state. */
  snapshot(): unknown;
  /** Restores a snapshot() result, copying into existing buffers where it can. */
  restore(snap: unknown): void;
  /** Its live state (plain data), read without copying by the machine's state hash. */
  readonly state: unknown;
  /** What it recorded for oracles (live: copy before keeping it past the next run). */
  record?(): DeviceRecord;
  /**
   * For a snapshot `snap` of this device: a large buffer of that snapshot and the pages (a byte
   * each, nonzero = may differ) where the live state can differ from it, when the device knows;
   * the state hash then compares only those pages.
   */
  changedPagesSince?(snap: unknown): { ref: Uint8Array; pages: Uint8Array } | undefined;
}
