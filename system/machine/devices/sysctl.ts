/*
 * The system control ports: the three PC registers through which software resets or powers off
 * the machine, and so the target of "bad port write" faults that take the whole system down.
 *
 *   0x0092  system control port A: bit 0 = fast reset (pulse), bit 1 = A20 gate; readable.
 *   0x0CF9  reset control register: a byte write with bit 2 (reset CPU) set resets the machine;
 *           bit 1 (hard) and bit 3 (full) are stored; bit 2 itself does not stick.
 *   0x0604  ACPI PM1a control (as QEMU's): 16-bit; SLP_EN (bit 13) with SLP_TYP (bits 12:10) = 0,
 *           i.e. the write 0x2000 that QEMU firmware uses for S5, powers the machine off.
 *
 * A resetting or powering-off write calls ctx.halt with a reason naming the port and value.
 */
import type { AccessSize, Device, DeviceContext, Region } from "../device.js";
import { PORT_POWEROFF, PORT_RESET_CTRL, PORT_SYSCTL_A } from "../memmap.js";

const PORT_A_FAST_RESET = 0x01;
const PORT_A_A20 = 0x02;
const RCR_RESET_CPU = 0x04;
const RCR_STORED = 0x0a; // hard reset + full reset select bits
const PM1_SLP_EN = 0x2000;
const PM1_SLP_TYP = 0x1c00;

export interface SysctlState {
  /** Last value written to port 0x92 (power-on: A20 enabled). */
  portA: number;
  /** Stored bits of the reset control register 0xCF9. */
  resetCtrl: number;
  /** PM1a control register at 0x604 (SLP_EN reads back as 0). */
  pm1Control: number;
}

function powerOnState(): SysctlState {
  return { portA: PORT_A_A20, resetCtrl: 0, pm1Control: 0 };
}

function hex(v: number, digits: number): string {
  return "0x" + v.toString(16).padStart(digits, "0");
}

export class Sysctl implements Device {
  readonly name = "sysctl";
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [
    { base: PORT_SYSCTL_A, size: 1 },
    { base: PORT_RESET_CTRL, size: 1 },
    { base: PORT_POWEROFF, size: 2 },
  ];
  state: SysctlState = powerOnState();

  /** Builds the control ports in their power-on state. */
  constructor(private readonly ctx: DeviceContext) {}

  /** IN: the stored values (the PM1a control register by byte lanes). */
  portRead(port: number, size: AccessSize): number {
    const s = this.state;
    switch (port) {
      case PORT_SYSCTL_A:
        return s.portA;
      case PORT_RESET_CTRL:
        return s.resetCtrl;
      case PORT_POWEROFF:
        return size === 1 ? s.pm1Control & 0xff : s.pm1Control;
      case PORT_POWEROFF + 1:
        return s.pm1Control >>> 8;
      default:
        return 0xff;
    }
  }

  /** OUT: stores the value; a reset or power-off write halts the machine. */
  portWrite(port: number, value: number, size: AccessSize): void {
    switch (port) {
      case PORT_SYSCTL_A:
        return this.writePortA(value & 0xff);
      case PORT_RESET_CTRL:
        if (size === 1) this.writeResetCtrl(value & 0xff);
        return;
      case PORT_POWEROFF:
        if (size === 1) return this.writePm1(port, value & 0xff, (this.state.pm1Control & 0xff00) | (value & 0xff));
        return this.writePm1(port, value & 0xffff, value & 0xffff);
      case PORT_POWEROFF + 1:
        return this.writePm1(port, value & 0xff, (this.state.pm1Control & 0x00ff) | ((value & 0xff) << 8));
      default:
        return;
    }
  }

  /** Power-on values. */
  reset(): void {
    this.state = powerOnState();
  }

  snapshot(): SysctlState {
    return { ...this.state };
  }

  restore(snap: unknown): void {
    Object.assign(this.state, snap as SysctlState);
  }

  private writePortA(v: number): void {
    this.state.portA = v;
    if (v & PORT_A_FAST_RESET)
      this.ctx.halt("reset", `write ${hex(v, 2)} to port 0x92 (system control port A, fast reset)`);
  }

  private writeResetCtrl(v: number): void {
    this.state.resetCtrl = v & RCR_STORED;
    if (!(v & RCR_RESET_CPU)) return;
    const kind = v & 0x02 ? "hard" : "soft";
    this.ctx.halt("reset", `write ${hex(v, 2)} to port 0xcf9 (reset control register, ${kind} reset)`);
  }

  /** `written` went to `port`; `reg` is the resulting 16-bit PM1a control value. */
  private writePm1(port: number, written: number, reg: number): void {
    this.state.pm1Control = reg & ~PM1_SLP_EN;
    if (!(reg & PM1_SLP_EN) || (reg & PM1_SLP_TYP) !== 0) return;
    const what = port === PORT_POWEROFF ? "" : ` (register now ${hex(reg, 4)})`;
    const digits = port === PORT_POWEROFF && written > 0xff ? 4 : 2;
    this.ctx.halt(
      "poweroff",
      `write ${hex(written, digits)} to port ${hex(port, 3)}${what} (ACPI PM1a control, SLP_EN with SLP_TYP=S5: power off)`,
    );
  }
}
