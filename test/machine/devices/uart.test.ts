import { describe, expect, it } from "vitest";
import { Plic } from "../../../system/machine/devices/plic.js";
import { OUTPUT_CAPACITY, Uart } from "../../../system/machine/devices/uart.js";
import { IRQ_UART, PLIC_BASE, PORT_UART } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

const THR = PORT_UART;
const IER = PORT_UART + 1;
const IIR = PORT_UART + 2;
const LCR = PORT_UART + 3;
const MCR = PORT_UART + 4;
const LSR = PORT_UART + 5;
const MSR = PORT_UART + 6;
const SCR = PORT_UART + 7;

function setup() {
  const h = new Harness();
  const uart = h.attach(new Uart(h.ctx));
  return { h, uart };
}

function print(h: Harness, text: string) {
  for (const ch of text) h.outb(THR, ch.charCodeAt(0));
}

describe("UART", () => {
  it("captures transmitted bytes; THR is always empty", () => {
    const { h, uart } = setup();
    expect(h.inb(LSR)).toBe(0x60);
    print(h, "hello\n");
    expect(uart.output()).toBe("hello\n");
    expect(h.inb(LSR)).toBe(0x60);
    h.outw(THR, 0x4121); // wider access: low byte only
    expect(uart.output()).toBe("hello\n!");
    uart.clearOutput();
    expect(uart.output()).toBe("");
    print(h, "x");
    expect(uart.output()).toBe("x");
  });

  it("switches +0/+1 to the divisor latch under DLAB", () => {
    const { h, uart } = setup();
    h.outb(LCR, 0x83);
    h.outb(THR, 0x01);
    h.outb(IER, 0x00);
    expect(h.inb(THR)).toBe(0x01);
    expect(h.inb(IER)).toBe(0x00);
    expect(uart.state.ier).toBe(0);
    h.outb(LCR, 0x03);
    expect(h.inb(LCR)).toBe(0x03);
    expect(uart.output()).toBe(""); // divisor bytes were not transmitted
    h.outb(IER, 0x05);
    expect(h.inb(IER)).toBe(0x05);
    h.outb(SCR, 0x5a);
    h.outb(MCR, 0xff);
    expect([h.inb(SCR), h.inb(MCR), h.inb(MSR)]).toEqual([0x5a, 0x1f, 0xb0]);
  });

  it("delivers queued input in order with data-ready and the received-data interrupt", () => {
    const { h, uart } = setup();
    expect(uart.pushInput("ab")).toBe(2);
    expect(h.inb(LSR) & 1).toBe(1);
    expect(h.irqLevel(IRQ_UART)).toBe(false); // not enabled yet
    h.outb(IER, 0x01);
    expect(h.irqLevel(IRQ_UART)).toBe(true);
    expect(h.inb(IIR)).toBe(0x04);
    expect(h.inb(THR)).toBe(0x61);
    expect(h.irqLevel(IRQ_UART)).toBe(true);
    expect(h.inb(THR)).toBe(0x62);
    expect(h.irqLevel(IRQ_UART)).toBe(false);
    expect(h.inb(LSR) & 1).toBe(0);
    expect(h.inb(IIR)).toBe(0x01);
    uart.pushInput(new Uint8Array([0xff]));
    expect(h.irqLevel(IRQ_UART)).toBe(true);
    h.outb(IIR, 0x07); // FIFO enable + clear RX
    expect(h.irqLevel(IRQ_UART)).toBe(false);
    expect(h.inb(IIR)).toBe(0xc1);
  });

  it("THR-empty interrupt: set when enabled, cleared by reading IIR, set again by a write", () => {
    const { h } = setup();
    h.outb(IER, 0x02);
    expect(h.irqLevel(IRQ_UART)).toBe(true);
    expect(h.inb(IIR)).toBe(0x02);
    expect(h.irqLevel(IRQ_UART)).toBe(false);
    expect(h.inb(IIR)).toBe(0x01);
    h.outb(THR, 0x41);
    expect(h.irqLevel(IRQ_UART)).toBe(true);
    h.outb(IER, 0x00);
    expect(h.irqLevel(IRQ_UART)).toBe(false);
  });

  it("raises MEIP through a real PLIC", () => {
    const { h, uart } = setup();
    const plic = h.attach(new Plic(h.ctx));
    h.irqSink = (line, level) => plic.setLevel(line, level);
    h.write32(PLIC_BASE + 4 * IRQ_UART, 1);
    h.write32(PLIC_BASE + 0x2000, 1 << IRQ_UART);
    h.outb(IER, 0x01);
    uart.pushInput("z");
    expect(h.mipLevel(11)).toBe(true);
    expect(plic.claim(0)).toBe(IRQ_UART);
    h.inb(THR);
    plic.complete(0, IRQ_UART);
    expect(h.mipLevel(11)).toBe(false);
  });

  it("keeps only the last OUTPUT_CAPACITY bytes and counts the dropped ones", () => {
    const { h, uart } = setup();
    const extra = 10;
    for (let i = 0; i < OUTPUT_CAPACITY + extra; i++) h.outb(THR, i & 0xff);
    expect(uart.droppedOutput()).toBe(extra);
    const bytes = uart.outputBytes();
    expect(bytes.length).toBe(OUTPUT_CAPACITY);
    expect(bytes[0]).toBe(extra & 0xff);
    expect(bytes[OUTPUT_CAPACITY - 1]).toBe((OUTPUT_CAPACITY + extra - 1) & 0xff);
    expect(uart.output().length).toBe(OUTPUT_CAPACITY);
  });

  it("snapshot -> change -> restore gives the identical state", () => {
    const { h, uart } = setup();
    print(h, "before");
    uart.pushInput("in");
    h.outb(IER, 0x03);
    const snap = uart.snapshot();
    const out = uart.state.out;
    print(h, " after");
    h.inb(THR);
    h.outb(LCR, 0x80);
    expect(uart.snapshot()).not.toEqual(snap);
    uart.restore(snap);
    expect(uart.snapshot()).toEqual(snap);
    expect(uart.state.out).toBe(out);
    expect(uart.output()).toBe("before");
    expect(h.inb(THR)).toBe("i".charCodeAt(0));
  });
});
