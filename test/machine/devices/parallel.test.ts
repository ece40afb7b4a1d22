import { describe, expect, it } from "vitest";
import { PERIPHERALS } from "../../../system/machine/devices/index.js";
import {
  ACK_PULSE_CYCLES as ACK,
  DEFAULT_ACCEPT_CYCLES,
  ParallelPort,
  type PrinterOptions,
} from "../../../system/machine/devices/parallel.js";
import { IRQ_LPT1, PORT_LPT1 } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

const DATA = PORT_LPT1;
const STATUS = PORT_LPT1 + 1;
const CONTROL = PORT_LPT1 + 2;

// Status values a driver sees (bits: 7 nBUSY, 6 nACK, 5 PE, 4 SELECT, 3 nERROR).
const READY = 0xd8; // not busy, ack high, online, no error
const BUSY = 0x58; // busy, ack high, online, no error
const ACKING = 0x18; // busy, ack low, online, no error

function setup(opts: PrinterOptions = {}) {
  const h = new Harness();
  const lpt = h.attach(new ParallelPort(h.ctx, opts));
  return { h, lpt };
}

const text = (lpt: ParallelPort) => Buffer.from(lpt.record().printed).toString("latin1");
const lptIrqs = (h: Harness) => h.irqLog.filter((c) => c.line === IRQ_LPT1);

/** Strobes `byte` the way MINIX does it (DEVICES.md §3.4): DATA, CONTROL = 0x1D, CONTROL = 0x1C. */
function strobe(h: Harness, byte: number, control = 0x1c) {
  h.outb(DATA, byte);
  h.outb(CONTROL, control | 0x01);
  h.outb(CONTROL, control);
}

/** MINIX's first open: INIT low, 50 ms, INIT high (select, no IRQ). */
function minixOpen(h: Harness) {
  h.outb(CONTROL, 0x08);
  h.advanceBy(5_000_000);
  h.outb(CONTROL, 0x0c);
}

/** Runs the clock until IRQ 7 is high (MINIX waiting for its interrupt); throws if it never comes. */
function waitIrq(h: Harness, sent: number) {
  while (!h.irqLevel(IRQ_LPT1)) {
    if (h.clock.nextEventAt() === Infinity) throw new Error(`no interrupt after byte ${sent}`);
    h.advanceTo(h.clock.nextEventAt());
  }
}

/**
 * MINIX's do_printer_output (DEVICES.md §3.4): while status & 0xB0 == 0x90, one character per
 * VDEVIO; on 0x10 wait for IRQ 7 and run again (reading STATUS first); anything else is an
 * error. The interrupt after the last character finds nothing left and writes CONTROL = 0x0C,
 * without reading STATUS. Returns the bytes sent and the interrupts taken.
 */
function minixWrite(h: Harness, msg: string, perCharCycles = 200) {
  let sent = 0;
  let interrupts = 0;
  while (sent < msg.length) {
    const status = h.inb(STATUS) & 0xb0;
    if (status === 0x90) {
      strobe(h, msg.charCodeAt(sent++));
      h.advanceBy(perCharCycles);
    } else if (status === 0x10) {
      waitIrq(h, sent);
      interrupts++;
    } else {
      throw new Error(`printer error, status 0x${status.toString(16)}`);
    }
  }
  waitIrq(h, sent);
  interrupts++;
  h.outb(CONTROL, 0x0c);
  return { sent, interrupts };
}

describe("parallel port: registers", () => {
  it("powers on with STATUS 0xD8, CONTROL 0xCC, DATA 0xFF; the EPP window reads 0xFF; IRQ low", () => {
    const { h, lpt } = setup();
    expect([h.inb(DATA), h.inb(STATUS), h.inb(CONTROL)]).toEqual([0xff, READY, 0xcc]);
    for (let p = PORT_LPT1 + 3; p < PORT_LPT1 + 8; p++) expect(h.inb(p)).toBe(0xff);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
    expect(lpt.record()).toEqual({ kind: "printer", printed: new Uint8Array(0), missed: 0 });
  });

  it("DATA reads back the latch; CONTROL reads bits 7:6 as 1; STATUS ignores writes", () => {
    const { h } = setup();
    h.outb(DATA, 0x5a);
    h.outb(CONTROL, 0x0e);
    h.outb(STATUS, 0x00);
    expect([h.inb(DATA), h.inb(STATUS), h.inb(CONTROL)]).toEqual([0x5a, READY, 0xce]);
    h.outb(CONTROL, 0xff & ~0x01);
    expect(h.inb(CONTROL)).toBe(0xfe);
  });

  it("with DIR set, DATA reads the undriven lines (0xFF) and a strobe latches 0xFF", () => {
    const { h, lpt } = setup();
    h.outb(DATA, 0x41);
    h.outb(CONTROL, 0x2c);
    expect(h.inb(DATA)).toBe(0xff);
    h.outb(CONTROL, 0x2d);
    expect([...lpt.record().printed]).toEqual([0xff]);
    h.outb(CONTROL, 0x0c);
    expect(h.inb(DATA)).toBe(0x41);
  });

  it("a wide access is successive bytes: a dword at DATA writes DATA, STATUS (ignored), CONTROL", () => {
    const { h, lpt } = setup();
    h.outl(DATA, 0x00_1d_00_41); // CONTROL = 0x1D: strobe with 'A' on the lines
    expect(text(lpt)).toBe("A");
    expect(h.inb(CONTROL)).toBe(0xdd);
    expect(h.inw(STATUS)).toBe(BUSY | (0xdd << 8));
    expect(h.inl(PORT_LPT1 + 6)).toBe(0xffffffff); // past the window: floating
    h.outw(DATA, 0xff42);
    expect(h.inb(DATA)).toBe(0x42);
  });

  it("garbage writes of every size to every port never throw, and the printer still works after", () => {
    const { h, lpt } = setup({ bufferSize: 4, charCycles: 3_000 });
    let x = 12345; // xorshift32: every bit varies (a power-of-two LCG's low bits do not)
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>>= 0);
    };
    for (let i = 0; i < 3000; i++) {
      const port = PORT_LPT1 + (next() % 8);
      const size = ([1, 2, 4] as const)[next() % 3];
      if (next() & 1) h.bus.portWrite(port, next(), size);
      else h.bus.portRead(port, size);
      h.advanceBy(next() % 700);
    }
    expect(lpt.record().printed.length).toBeGreaterThan(0);
    expect(lpt.record().missed).toBeGreaterThan(0);
    expect(lpt.state.resets).toBeGreaterThan(0);
    h.outb(CONTROL, 0x0c);
    h.advanceBy(1_000_000);
    const before = text(lpt);
    expect(minixWrite(h, "ok").sent).toBe(2);
    expect(text(lpt)).toBe(before + "ok");
  });
});

describe("parallel port: the printer handshake", () => {
  it("MINIX's open and per-character sequence print a string exactly, one interrupt per character", () => {
    const { h, lpt } = setup();
    minixOpen(h);
    const msg = "Hello, printer!\r\n\x0c";
    const t0 = h.clock.now;
    const { interrupts } = minixWrite(h, msg);
    expect(text(lpt)).toBe(msg);
    expect(lpt.record().missed).toBe(0);
    expect(lpt.state.resets).toBe(1);
    expect(interrupts).toBe(msg.length);
    // each byte: strobe, accept time, ack pulse, then the driver's next status read
    expect(h.clock.now - t0).toBe(msg.length * (DEFAULT_ACCEPT_CYCLES + ACK));
    expect(h.inb(CONTROL)).toBe(0xcc);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
  });

  it("busy for the accept time, nACK low for 5 us, then ready at the ack's rising edge", () => {
    const accept = 1234;
    const { h } = setup({ acceptCycles: accept });
    strobe(h, 0x41, 0x0c);
    const t0 = h.clock.now;
    const at = (dt: number) => {
      h.advanceTo(t0 + dt);
      return h.inb(STATUS);
    };
    expect(ACK).toBe(500);
    expect([at(0), at(accept - 1), at(accept), at(accept + ACK - 1), at(accept + ACK)]).toEqual([BUSY, BUSY, ACKING, ACKING, READY]);
  });

  it("raises IRQ 7 at the nACK rising edge only with IRQ enable; a STATUS read lowers it", () => {
    const { h } = setup();
    strobe(h, 0x31, 0x0c); // IRQ enable clear
    h.settle();
    expect(lptIrqs(h)).toEqual([]);
    expect(h.inb(STATUS)).toBe(READY);

    strobe(h, 0x32); // 0x1D / 0x1C: IRQ enable set
    const t0 = h.clock.now;
    h.advanceTo(t0 + DEFAULT_ACCEPT_CYCLES + ACK - 1);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
    h.settle();
    expect(lptIrqs(h)).toEqual([{ line: IRQ_LPT1, level: true, at: t0 + DEFAULT_ACCEPT_CYCLES + ACK }]);
    h.inb(DATA);
    h.inb(CONTROL);
    expect(h.irqLevel(IRQ_LPT1)).toBe(true); // only STATUS clears it
    h.advanceBy(10_000);
    expect(h.inb(STATUS)).toBe(READY);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
  });

  it("clearing IRQ enable drops a pending interrupt, and enabling it again does not bring it back", () => {
    const { h } = setup();
    strobe(h, 0x33);
    h.settle();
    expect(h.irqLevel(IRQ_LPT1)).toBe(true);
    h.outb(CONTROL, 0x0c);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
    h.outb(CONTROL, 0x1c);
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
  });

  it("a strobe while busy is missed and counted; the byte in progress completes", () => {
    const { h, lpt } = setup();
    strobe(h, 0x61);
    h.advanceBy(100);
    strobe(h, 0x62); // still busy
    h.advanceBy(DEFAULT_ACCEPT_CYCLES); // now in the ack pulse: still busy
    strobe(h, 0x63);
    h.settle();
    expect(text(lpt)).toBe("a");
    expect(lpt.record().missed).toBe(2);
    expect(lptIrqs(h).filter((c) => c.level)).toHaveLength(1);
    expect(h.inb(STATUS)).toBe(READY);
    strobe(h, 0x64);
    expect(text(lpt)).toBe("ad");
  });

  it("a strobe without SELECT-IN is not taken (QEMU's rule)", () => {
    const { h, lpt } = setup();
    strobe(h, 0x41, 0x04);
    expect(text(lpt)).toBe("");
    expect(lpt.record().missed).toBe(1);
    expect(h.inb(STATUS)).toBe(READY);
  });

  it("offline: SELECT and nERROR low, BUSY; bytes refused; MINIX sees an error; online again prints", () => {
    const { h, lpt } = setup({ online: false });
    expect(h.inb(STATUS)).toBe(0x40);
    expect(h.inb(STATUS) & 0xb0).toBe(0x00); // MINIX: offline
    strobe(h, 0x41);
    expect(() => minixWrite(h, "x")).toThrow(/status 0x0/);
    lpt.setOnline(true);
    expect(h.inb(STATUS)).toBe(READY);
    minixWrite(h, "BC");
    lpt.setOnline(false);
    strobe(h, 0x44);
    expect(lpt.record()).toEqual({ kind: "printer", printed: Uint8Array.from([0x42, 0x43]), missed: 2 });
  });

  it("paper out: PE set, nERROR low, BUSY; bytes refused; paper loaded again prints", () => {
    const { h, lpt } = setup();
    lpt.setPaperOut(true);
    expect(h.inb(STATUS)).toBe(0x70);
    expect(h.inb(STATUS) & 0xb0).toBe(0x30); // MINIX: neither ready nor busy-online
    strobe(h, 0x41);
    expect(lpt.record().missed).toBe(1);
    lpt.setPaperOut(false);
    minixWrite(h, "Z");
    expect(text(lpt)).toBe("Z");
    const { lpt: empty, h: h2 } = setup({ paperOut: true });
    expect(h2.inb(STATUS)).toBe(0x70);
    expect(empty.record().printed.length).toBe(0);
  });

  it("INIT low resets the printer: busy while low, strobes missed, ready when high again; counted", () => {
    const { h, lpt } = setup();
    h.outb(CONTROL, 0x08);
    expect(h.inb(STATUS)).toBe(BUSY);
    strobe(h, 0x41, 0x08);
    expect(lpt.record().missed).toBe(1);
    h.advanceBy(5_000); // 50 us
    h.outb(CONTROL, 0x0c);
    expect(h.inb(STATUS)).toBe(READY);
    expect(lpt.state.resets).toBe(1);
    h.outb(CONTROL, 0x08);
    h.outb(CONTROL, 0x08); // still low: not another pulse
    h.outb(CONTROL, 0x0c);
    expect(lpt.state.resets).toBe(2);
  });

  it("INIT during a handshake abandons it: no ack, no interrupt; the byte stays in the record", () => {
    const { h, lpt } = setup();
    strobe(h, 0x41);
    h.advanceBy(DEFAULT_ACCEPT_CYCLES + 10); // in the ack pulse
    expect(h.inb(STATUS)).toBe(ACKING);
    h.outb(CONTROL, 0x18);
    h.outb(CONTROL, 0x1c);
    h.settle();
    expect(lptIrqs(h)).toEqual([]);
    expect(h.inb(STATUS)).toBe(READY);
    expect(text(lpt)).toBe("A");
  });
});

describe("parallel port: the printer's buffer and speed", () => {
  const CHAR = 100_000;
  const ACCEPT = 500;

  it("takes bytes at the accept time while the buffer has room, then at the print speed", () => {
    const { h, lpt } = setup({ bufferSize: 3, charCycles: CHAR, acceptCycles: ACCEPT });
    const t0 = h.clock.now;
    const readyAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      strobe(h, 0x30 + i);
      while (h.inb(STATUS) !== READY) h.advanceTo(h.clock.nextEventAt());
      readyAt.push(h.clock.now - t0);
    }
    // bytes 1-3 fill the buffer at once; byte 4 waits until byte 1 is printed, byte 5 until byte 2 is
    const fast = ACCEPT + ACK;
    expect(readyAt).toEqual([fast, 2 * fast, 3 * fast, CHAR + fast, 2 * CHAR + fast]);
    expect(text(lpt)).toBe("01234");
  });

  it("the mechanism stops while offline: a byte waiting for room waits that much longer", () => {
    const { h, lpt } = setup({ bufferSize: 1, charCycles: CHAR, acceptCycles: ACCEPT });
    const t0 = h.clock.now;
    strobe(h, 0x41);
    h.settle();
    strobe(h, 0x42); // buffer full: waits for the 'A' to be printed, at t0 + CHAR
    h.advanceTo(t0 + CHAR / 2);
    lpt.setOnline(false);
    h.advanceTo(t0 + 10 * CHAR);
    expect(h.inb(STATUS)).toBe(0x40); // busy, offline
    lpt.setOnline(true);
    h.settle();
    expect(lptIrqs(h).filter((c) => c.level).map((c) => c.at - t0)).toEqual([ACCEPT + ACK, 10 * CHAR + CHAR / 2 + ACCEPT + ACK]);
    expect(text(lpt)).toBe("AB");
  });

  it("rejects nonsensical printer options (a bulkhead configuration bug)", () => {
    const h = new Harness();
    expect(() => new ParallelPort(h.ctx, { bufferSize: 0 })).toThrow(/bufferSize/);
    expect(() => new ParallelPort(h.ctx, { charCycles: 1.5 })).toThrow(/charCycles/);
    expect(() => new ParallelPort(h.ctx, { acceptCycles: -1 })).toThrow(/acceptCycles/);
  });
});

describe("parallel port: state", () => {
  it("snapshot/restore mid-character continues identically (status, interrupts, record)", () => {
    const { h, lpt } = setup({ bufferSize: 2, charCycles: 20_000, acceptCycles: 700 });
    minixWrite(h, "abc"); // the 'c' waits for room
    strobe(h, 0x64); // mid-character: still busy with the 'c'
    const snap = { dev: lpt.snapshot(), clock: h.clock.snapshot(), log: h.irqLog.length };

    const run = () => {
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) {
        seen.push(h.inb(STATUS) | (h.irqLevel(IRQ_LPT1) ? 0x100 : 0));
        strobe(h, 0x65 + i);
        h.advanceBy(1_733);
      }
      return { seen, irqs: h.irqLog.slice(snap.log), record: text(lpt), missed: lpt.record().missed, state: lpt.snapshot() };
    };
    const first = run();
    expect(first.record.length).toBeGreaterThan(4);
    expect(first.missed).toBeGreaterThan(0);
    lpt.restore(snap.dev);
    h.clock.restore(snap.clock);
    h.irqLog.length = snap.log;
    h.irq.set(IRQ_LPT1, snap.dev.irqPending === 1);
    expect(text(lpt)).toBe("abcd");
    const second = run();
    expect(second).toEqual(first);
  });

  it("restore brings back a record shorter than the live one exactly (no later bytes left behind)", () => {
    const { h, lpt } = setup({ charCycles: 10 });
    const snap = lpt.snapshot();
    for (let i = 0; i < 1000; i++) {
      strobe(h, i & 0xff, 0x0c);
      h.settle();
    }
    expect(lpt.record().printed.length).toBe(1000);
    lpt.restore(snap);
    expect(lpt.record().printed.length).toBe(0);
    expect(lpt.state).toEqual(snap);
  });

  it("reset: port registers to power-on, interrupt dropped, the printer's condition and record kept", () => {
    const { h, lpt } = setup();
    minixWrite(h, "hi");
    strobe(h, 0x21);
    h.settle();
    expect(h.irqLevel(IRQ_LPT1)).toBe(true);
    lpt.setPaperOut(true);
    lpt.reset();
    expect(h.irqLevel(IRQ_LPT1)).toBe(false);
    expect([h.inb(DATA), h.inb(CONTROL), h.inb(STATUS)]).toEqual([0xff, 0xcc, 0x70]);
    expect(text(lpt)).toBe("hi!");
  });

  it("is the peripheral kind `printer`, built with the media's printer options", () => {
    const h = new Harness();
    const made = PERIPHERALS.printer({ printer: { online: false } })(h.ctx);
    expect(made).toBeInstanceOf(ParallelPort);
    h.attach(made as ParallelPort);
    expect(h.inb(STATUS)).toBe(0x40);
  });
});
