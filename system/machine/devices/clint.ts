/*
 * CLINT: the core-local interruptor of hart 0, in the SiFive layout. It owns the machine timer
 * (mtime, mtimecmp → MIP.MTIP) and the machine software interrupt (msip → MIP.MSIP).
 *
 * mtime is not stored: it is derived from the one clock, mtime = floor(now / MTIME_DIVIDER) +
 * offset, and a write to mtime only changes the offset. MTIP is a level, high while
 * mtime >= mtimecmp; the moment it rises is a clock event ("clint"/"timer") scheduled for the
 * first cycle at which that holds, rescheduled on every write to mtimecmp or mtime.
 *
 * 64-bit registers are JavaScript numbers: exact up to 2^53, which at 10 MHz is ~28 years of
 * mtime. A mtimecmp beyond 2^53 (such as the reset value 2^64-1) means "never".
 */
import type { AccessSize, Device, DeviceContext, Region } from "../device.js";
import { CLINT_BASE, CLINT_SIZE, MTIME_DIVIDER } from "../memmap.js";

/** Register offsets inside the CLINT region. */
export const CLINT_MSIP = 0x0000;
export const CLINT_MTIMECMP_LO = 0x4000;
export const CLINT_MTIMECMP_HI = 0x4004;
export const CLINT_MTIME_LO = 0xbff8;
export const CLINT_MTIME_HI = 0xbffc;

/** MIP bit numbers the CLINT drives. */
export const MIP_MSIP_BIT = 3;
export const MIP_MTIP_BIT = 7;

const NAME = "clint";
const EV_TIMER = "timer";
const TWO_32 = 0x1_0000_0000;

export interface ClintState {
  /** msip register bit 0 (software interrupt request). Written by the guest. */
  msip: number;
  /** mtimecmp as two unsigned 32-bit halves. */
  timecmpLo: number;
  timecmpHi: number;
  /** mtime - floor(clock.now / MTIME_DIVIDER); changed only by writes to mtime. */
  offset: number;
  /** Level last driven on MIP.MTIP (0/1). */
  mtip: number;
}

function powerOnState(): ClintState {
  return { msip: 0, timecmpLo: 0xffffffff, timecmpHi: 0xffffffff, offset: 0, mtip: 0 };
}

export class Clint implements Device {
  readonly name = NAME;
  readonly mmio: Region[] = [{ base: CLINT_BASE, size: CLINT_SIZE }];
  readonly ports: Region[] = [];
  state: ClintState = powerOnState();

  /** Builds a CLINT in its power-on state; drives no line and schedules nothing until used. */
  constructor(private readonly ctx: DeviceContext) {}

  /** Current mtime (ticks of the 10 MHz timebase, plus the guest-written offset). */
  mtime(): number {
    return Math.floor(this.ctx.clock.now / MTIME_DIVIDER) + this.state.offset;
  }

  /** Current mtimecmp as a number (≥ 2^53 means the timer never fires). */
  timecmp(): number {
    return this.state.timecmpHi * TWO_32 + this.state.timecmpLo;
  }

  /** Host kernel API: sets mtimecmp (a non-negative integer; ≥ 2^53 = never) and re-arms MTIP. */
  setTimecmp(value: number): void {
    const v = Math.max(0, Math.floor(value));
    this.state.timecmpHi = Math.min(0xffffffff, Math.floor(v / TWO_32));
    this.state.timecmpLo = v >= 2 ** 64 ? 0xffffffff : v % TWO_32 >>> 0;
    this.updateTimer();
  }

  /** Reads a register; sub-word reads return the bytes of the containing 32-bit word. */
  mmioRead(_region: number, offset: number, size: AccessSize): number {
    const word = this.readWord(offset & ~3);
    if (size === 4) return word;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  /** Writes a register; a sub-word write merges into the containing 32-bit word. */
  mmioWrite(_region: number, offset: number, value: number, size: AccessSize): void {
    const aligned = offset & ~3;
    if (size !== 4) {
      const shift = (offset & 3) * 8;
      const mask = (size === 2 ? 0xffff : 0xff) << shift;
      value = (this.readWord(aligned) & ~mask) | ((value << shift) & mask);
    }
    this.writeWord(aligned, value >>> 0);
  }

  /** The "timer" event: mtime has reached mtimecmp (or the deadline moved; re-evaluate). */
  onEvent(kind: string): void {
    if (kind === EV_TIMER) this.updateTimer();
  }

  /** Power-on: msip 0, mtime 0, mtimecmp never; both lines low, no pending event. */
  reset(): void {
    this.state = powerOnState();
    this.state.offset = -Math.floor(this.ctx.clock.now / MTIME_DIVIDER);
    this.ctx.clock.cancel(NAME);
    this.ctx.setCpuPending(MIP_MSIP_BIT, false);
    this.ctx.setCpuPending(MIP_MTIP_BIT, false);
  }

  snapshot(): ClintState {
    return { ...this.state };
  }

  restore(snap: unknown): void {
    Object.assign(this.state, snap as ClintState);
  }

  private readWord(offset: number): number {
    const s = this.state;
    switch (offset) {
      case CLINT_MSIP:
        return s.msip;
      case CLINT_MTIMECMP_LO:
        return s.timecmpLo;
      case CLINT_MTIMECMP_HI:
        return s.timecmpHi;
      case CLINT_MTIME_LO:
        return this.mtime() % TWO_32 >>> 0;
      case CLINT_MTIME_HI:
        return Math.floor(this.mtime() / TWO_32) >>> 0;
      default:
        return 0;
    }
  }

  private writeWord(offset: number, value: number): void {
    const s = this.state;
    switch (offset) {
      case CLINT_MSIP:
        s.msip = value & 1;
        this.ctx.setCpuPending(MIP_MSIP_BIT, s.msip === 1);
        return;
      case CLINT_MTIMECMP_LO:
        s.timecmpLo = value;
        return this.updateTimer();
      case CLINT_MTIMECMP_HI:
        s.timecmpHi = value;
        return this.updateTimer();
      case CLINT_MTIME_LO:
        return this.setMtime(Math.floor(this.mtime() / TWO_32) * TWO_32 + value);
      case CLINT_MTIME_HI:
        return this.setMtime(value * TWO_32 + (this.mtime() % TWO_32));
      default:
        return;
    }
  }

  private setMtime(value: number): void {
    this.state.offset = value - Math.floor(this.ctx.clock.now / MTIME_DIVIDER);
    this.updateTimer();
  }

  /** Drives MTIP from mtime vs mtimecmp and schedules the event for when it would next rise. */
  private updateTimer(): void {
    const clock = this.ctx.clock;
    clock.cancel(NAME, EV_TIMER);
    const level = this.mtime() >= this.timecmp();
    if (level !== (this.state.mtip === 1)) {
      this.state.mtip = level ? 1 : 0;
      this.ctx.setCpuPending(MIP_MTIP_BIT, level);
    }
    if (level) return;
    const at = (this.timecmp() - this.state.offset) * MTIME_DIVIDER;
    if (at <= Number.MAX_SAFE_INTEGER) clock.scheduleAt(at, NAME, EV_TIMER);
  }
}
