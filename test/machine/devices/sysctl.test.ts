import { describe, expect, it } from "vitest";
import { Sysctl } from "../../../system/machine/devices/sysctl.js";
import { PORT_POWEROFF, PORT_RESET_CTRL, PORT_SYSCTL_A } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

function setup() {
  const h = new Harness();
  const sysctl = h.attach(new Sysctl(h.ctx));
  return { h, sysctl };
}

describe("system control ports", () => {
  it("port A stores A20 and resets on bit 0", () => {
    const { h } = setup();
    expect(h.inb(PORT_SYSCTL_A)).toBe(0x02);
    h.outb(PORT_SYSCTL_A, 0x00);
    expect(h.inb(PORT_SYSCTL_A)).toBe(0x00);
    expect(h.halts).toEqual([]);
    h.advanceTo(1234);
    h.outb(PORT_SYSCTL_A, 0x03);
    expect(h.halts).toEqual([
      { kind: "reset", reason: "write 0x03 to port 0x92 (system control port A, fast reset)", at: 1234 },
    ]);
  });

  it("0xCF9 resets on a byte write with bit 2 and stores the other bits", () => {
    const { h } = setup();
    h.outb(PORT_RESET_CTRL, 0x02);
    expect(h.inb(PORT_RESET_CTRL)).toBe(0x02);
    expect(h.halts).toEqual([]);
    h.outw(PORT_RESET_CTRL, 0x06); // not a byte write
    expect(h.halts).toEqual([]);
    h.outb(PORT_RESET_CTRL, 0x0e);
    expect(h.halts.map((r) => [r.kind, r.reason])).toEqual([
      ["reset", "write 0x0e to port 0xcf9 (reset control register, hard reset)"],
    ]);
    expect(h.inb(PORT_RESET_CTRL)).toBe(0x0a);
    h.outb(PORT_RESET_CTRL, 0x04);
    expect(h.halts[1].reason).toBe("write 0x04 to port 0xcf9 (reset control register, soft reset)");
  });

  it("0x604 powers off on 0x2000 (SLP_EN, S5) and not for other sleep types", () => {
    const { h } = setup();
    h.outw(PORT_POWEROFF, 0x3400); // SLP_EN with SLP_TYP = 5: not S5 here
    h.outw(PORT_POWEROFF, 0x0001);
    expect(h.halts).toEqual([]);
    expect(h.inw(PORT_POWEROFF)).toBe(0x0001);
    h.outw(PORT_POWEROFF, 0x2000);
    expect(h.halts.map((r) => [r.kind, r.reason])).toEqual([
      ["poweroff", "write 0x2000 to port 0x604 (ACPI PM1a control, SLP_EN with SLP_TYP=S5: power off)"],
    ]);
    expect(h.inw(PORT_POWEROFF)).toBe(0); // SLP_EN reads as 0
    h.outb(PORT_POWEROFF + 1, 0x20);
    expect(h.halts[1].reason).toContain("write 0x20 to port 0x605");
  });

  it("snapshot -> change -> restore gives the identical state", () => {
    const { h, sysctl } = setup();
    h.outw(PORT_POWEROFF, 0x0401);
    const snap = sysctl.snapshot();
    h.outb(PORT_SYSCTL_A, 0x00);
    h.outb(PORT_RESET_CTRL, 0x02);
    expect(sysctl.snapshot()).not.toEqual(snap);
    sysctl.restore(snap);
    expect(sysctl.snapshot()).toEqual(snap);
  });
});
