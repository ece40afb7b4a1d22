/*
 * Kernel calls and the privileges that police them, observed on the running system: port I/O
 * against the caller's I/O ranges, the kernel-call mask, safe copies through grants (grantee,
 * range, access), interrupts as notifications from HARDWARE, alarms from CLOCK, and GETINFO.
 * The same programs run in the monolithic build, where no check is made: what minix3 denies
 * there succeeds — the point of comparing the builds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import type { Build } from "../../system/builds/types.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { CLOCK, ECALLDENIED, EPERM, HARDWARE, NOTIFY_MESSAGE } from "../../system/kernel/abi.js";
import { HZ } from "../../system/kernel/params.js";
import { ATA_DRDY } from "../../system/machine/devices/ata.js";
import { IRQ_ATA, IRQ_UART, PORT_ATA_CMD, PORT_UART } from "../../system/machine/memmap.js";
import type { System } from "../../system/system.js";
import {
  BASE_CALLS, bootSystem, guestImages, lines, plannedEndpoints, runUntilDone, runUntilLine, step, stepper, TICK,
} from "./harness.js";

let images: Record<string, Uint8Array>;

beforeAll(async () => {
  images = await guestImages();
});

function boot(build: Build, confs: ServiceConf[]): { sys: System; ep: Record<string, number> } {
  return { sys: bootSystem({ build, boot: confs, images }), ep: plannedEndpoints(confs) };
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const ATA_STATUS = PORT_ATA_CMD + 7;
const ATA_LBA_LOW = PORT_ATA_CMD + 3;
const UART_IER = PORT_UART + 1;
const UART_LSR = PORT_UART + 5;
const UART_SCR = PORT_UART + 7;

/** A driver with the ATA command block only, and no SETALARM / IRQCTL among its kernel calls. */
const portUser = (): ServiceConf =>
  stepper(
    "drv",
    [`inb:${hex(ATA_STATUS)}`, `outb:${hex(ATA_LBA_LOW)}:0x5a`, `inb:${hex(ATA_LBA_LOW)}`, `inb:${hex(UART_LSR)}`, `outb:${hex(UART_SCR)}:0x77`, "alarm:2", `irq:${IRQ_UART}:0`],
    { role: "driver", kernelCalls: ["GETINFO", "DIAGCTL", "EXIT", "DEVIO"], io: [[PORT_ATA_CMD, PORT_ATA_CMD + 7]] },
  );

describe("SYS_DEVIO and the kernel-call mask", () => {
  it("minix3: ports inside the caller's ranges work, others get EPERM; calls outside the mask get ECALLDENIED", () => {
    const { sys } = boot(BUILDS.minix3, [portUser()]);
    expect(runUntilDone(sys, ["drv"], 10)).toBe("done");
    sys.run(4 * TICK);
    expect(lines(sys, "drv")).toEqual([
      `#0 inb r=0 v=${hex(ATA_DRDY)}`,
      "#1 outb r=0",
      "#2 inb r=0 v=0x5a",
      `#3 inb r=${-EPERM} v=0x0`,
      `#4 outb r=${-EPERM}`,
      `#5 alarm r=${-ECALLDENIED}`,
      `#6 irq r=${-ECALLDENIED} hook=0`,
      "done",
    ]);
    expect(sys.machine.ata.state.lbaLow).toBe(0x5a);
    expect(sys.machine.uart.state.scr).toBe(0); // the denied write never reached the device
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("monolithic: the same out-of-range port accesses and out-of-mask calls succeed", () => {
    const { sys } = boot(BUILDS.monolithic, [portUser()]);
    expect(runUntilDone(sys, ["drv"], 10)).toBe("done");
    sys.run(4 * TICK);
    const out = lines(sys, "drv");
    expect(out.slice(0, 8)).toEqual([
      `#0 inb r=0 v=${hex(ATA_DRDY)}`,
      "#1 outb r=0",
      "#2 inb r=0 v=0x5a",
      "#3 inb r=0 v=0x60", // UART LSR: transmitter empty
      "#4 outb r=0",
      "#5 alarm r=0",
      "#6 irq r=0 hook=0",
      "done",
    ]);
    expect(sys.machine.uart.state.scr).toBe(0x77);
    // The alarm it was not entitled to goes off.
    expect(out[8]).toMatch(new RegExp(`^late r=0 src=${CLOCK} type=${NOTIFY_MESSAGE} t=\\d+ i=0$`));
    expect(sys.kernel.state.panic).toBeNull();
  });
});

describe("SAFECOPY through grants", () => {
  // g grants c read access to buf[0, 64) (id 0), x read access (id 1), c read-write (id 2);
  // buf[i] = 7i + 1. c tries each way a copy can be wrong, then two right ones.
  const confs = (): ServiceConf[] => {
    const calls = [...BASE_CALLS, "SAFECOPYFROM", "SAFECOPYTO", "SETGRANT"];
    return [
      stepper("g", ["grant:@c:r:0:64", "grant:@x:r:0:64", "grant:@c:rw:0:64", "send:@c:0", "recv:@c", "dump:0:24"], { kernelCalls: calls }),
      stepper("c", ["recv:@g", "copyfrom:@g:1:0:16", "copyfrom:@g:0:60:8", "copyto:@g:0:0:8", "copyfrom:@g:0:0:16", "copyfrom:@g:0:56:8", "copyto:@g:2:8:8", "send:@g:0"], { kernelCalls: calls }),
      stepper("x", []),
    ];
  };
  const bytes = (from: number, n: number): string =>
    Array.from({ length: n }, (_, i) => ((7 * (from + i) + 1) & 0xff).toString(16).padStart(2, "0")).join("");
  const written = "a0a1a2a3a4a5a6a7";

  it("minix3: wrong grantee, range past the grant and writing a read-only grant are EPERM; good copies arrive", () => {
    const { sys } = boot(BUILDS.minix3, confs());
    expect(runUntilDone(sys, ["g", "c"])).toBe("done");
    expect(lines(sys, "g").slice(0, 3)).toEqual(["#0 grant id=0", "#1 grant id=1", "#2 grant id=2"]);
    expect(lines(sys, "c").slice(1)).toEqual([
      `#1 copyfrom r=${-EPERM}`, // grant 1 is x's
      `#2 copyfrom r=${-EPERM}`, // 60 + 8 > 64
      `#3 copyto r=${-EPERM}`, // grant 0 is read-only
      `#4 copyfrom data=${bytes(0, 16)}`,
      `#5 copyfrom data=${bytes(56, 8)}`, // exactly up to the end of the grant
      "#6 copyto r=0",
      "#7 send r=0",
      "done",
    ]);
    // Only the write through grant 2 landed, at offset 8.
    expect(step(sys, "g", 5)).toEqual({ op: "dump", data: bytes(0, 8) + written + bytes(16, 8) });
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("monolithic: the kernel trusts the caller; the same bad copies succeed", () => {
    const { sys } = boot(BUILDS.monolithic, confs());
    expect(runUntilDone(sys, ["g", "c"])).toBe("done");
    expect(lines(sys, "c").slice(1, 4)).toEqual([`#1 copyfrom data=${bytes(0, 16)}`, `#2 copyfrom data=${bytes(60, 8)}`, "#3 copyto r=0"]);
    // The write through the read-only grant changed buf[0, 8).
    expect(step(sys, "g", 5)).toEqual({ op: "dump", data: written + written + bytes(16, 8) });
  });
});

describe("interrupts", () => {
  it("the UART's IRQ arrives as a notification from HARDWARE with the hook's bit, and again after IRQ_ENABLE", () => {
    const { sys } = boot(BUILDS.minix3, [
      stepper(
        "tty",
        [`irq:${IRQ_ATA}:0`, `irq:${IRQ_UART}:0`, `outb:${hex(UART_IER)}:1`, "recv:any", `inb:${hex(PORT_UART)}`, "irqen:1", "recv:any", `inb:${hex(PORT_UART)}`],
        { role: "driver", kernelCalls: [...BASE_CALLS, "DEVIO", "IRQCTL"], io: [[PORT_UART, PORT_UART + 7]], irqs: [IRQ_ATA, IRQ_UART] },
      ),
    ]);
    expect(runUntilLine(sys, "tty", "#2 outb r=0", 10)).toBe("done");
    expect(lines(sys, "tty").slice(0, 2)).toEqual(["#0 irq r=0 hook=0", "#1 irq r=0 hook=1"]);
    sys.run(3 * TICK);
    expect(step(sys, "tty", 3)).toBeUndefined(); // no input, no interrupt
    sys.machine.uart.pushInput("x");
    expect(runUntilLine(sys, "tty", "#5 irqen r=0", 5)).toBe("done");
    expect(step(sys, "tty", 3)).toMatchObject({ op: "recv", r: "0", src: String(HARDWARE), type: String(NOTIFY_MESSAGE), i: String(1 << 1) });
    expect(step(sys, "tty", 4)).toMatchObject({ r: "0", v: "0x78" });
    sys.machine.uart.pushInput("y");
    expect(runUntilDone(sys, ["tty"], 5)).toBe("done");
    expect(step(sys, "tty", 6)).toMatchObject({ r: "0", src: String(HARDWARE), i: "2" });
    expect(step(sys, "tty", 7)).toMatchObject({ r: "0", v: "0x79" });
    expect(sys.kernel.state.panic).toBeNull();
  });

  // MINIX rm_irq_handler clears the hook's active bit and unmasks or masks the line, so a new
  // policy plus IRQ_ENABLE gets interrupts again.
  it("IRQ_RMPOLICY while an interrupt is in service, then a new policy and IRQ_ENABLE: the next interrupt arrives", () => {
    const { sys } = boot(BUILDS.minix3, [
      stepper(
        "tty",
        [`irq:${IRQ_UART}:0`, `outb:${hex(UART_IER)}:1`, "recv:any", `inb:${hex(PORT_UART)}`, "irqrm:0", `irq:${IRQ_UART}:0`, "irqen:0", "recv:any", `inb:${hex(PORT_UART)}`],
        { role: "driver", kernelCalls: [...BASE_CALLS, "DEVIO", "IRQCTL"], io: [[PORT_UART, PORT_UART + 7]], irqs: [IRQ_UART] },
      ),
    ]);
    expect(runUntilLine(sys, "tty", "#1 outb r=0", 10)).toBe("done");
    sys.machine.uart.pushInput("x");
    expect(runUntilLine(sys, "tty", "#6 irqen r=0", 5)).toBe("done");
    expect(step(sys, "tty", 3)).toMatchObject({ r: "0", v: "0x78" });
    expect(lines(sys, "tty").slice(4, 6)).toEqual(["#4 irqrm r=0", "#5 irq r=0 hook=0"]);
    sys.machine.uart.pushInput("y");
    runUntilDone(sys, ["tty"], 5);
    expect(step(sys, "tty", 7)).toMatchObject({ r: "0", src: String(HARDWARE), i: "1" });
    expect(step(sys, "tty", 8)).toMatchObject({ r: "0", v: "0x79" });
  });
});

describe("SYS_SETALARM and SYS_GETINFO", () => {
  it(`an alarm of ${HZ / 20} ticks (HZ = ${HZ}) is a CLOCK notification exactly that many ticks later`, () => {
    const n = HZ / 20;
    const { sys } = boot(BUILDS.minix3, [stepper("sleeper", ["uptime", `alarm:${n}`, "recv:any", "uptime"])]);
    const start = sys.machine.clock.now;
    expect(runUntilDone(sys, ["sleeper"], 3 * n)).toBe("done");
    const t0 = Number(step(sys, "sleeper", 0)?.t);
    expect(step(sys, "sleeper", 1)).toEqual({ op: "alarm", r: "0" });
    expect(step(sys, "sleeper", 2)).toEqual({ op: "recv", r: "0", src: String(CLOCK), type: String(NOTIFY_MESSAGE), t: String(t0 + n), i: "0" });
    expect(step(sys, "sleeper", 3)).toEqual({ op: "uptime", r: "0", t: String(t0 + n) });
    // Ticks are emulated time: n ticks of CPU_HZ / HZ cycles passed.
    expect(sys.machine.clock.now - start).toBeGreaterThanOrEqual(n * TICK - TICK);
  });

  it("GETINFO WHOAMI returns the caller's endpoint and label", () => {
    const confs = [stepper("first", []), stepper("whoami_test", ["whoami"])];
    const { sys, ep } = boot(BUILDS.minix3, confs);
    expect(runUntilDone(sys, ["whoami_test"], 5)).toBe("done");
    expect(ep.whoami_test).toBe(4);
    expect(lines(sys, "whoami_test")[0]).toBe(`#0 whoami r=0 ep=${ep.whoami_test} label=whoami_test`);
  });
});

describe("bounded diagnostics", () => {
  it("a process that prints without end cannot grow the console beyond its bound", async () => {
    const { System } = await import("../../system/system.js");
    const { BUILDS } = await import("../../system/builds/index.js");
    const chatty = {
      init: () => ({}),
      start(k: { log(t: string): void }) {
        for (let i = 0; i < 20_000; i++) k.log(`line ${i} ${"x".repeat(80)}`);
      },
      receive() {},
    };
    const r = System.boot({ build: BUILDS.minix3, natives: { chatty }, boot: [{ label: "chatty", program: { native: "chatty" }, role: "user", priority: 7, ipcTo: [], kernelCalls: [], io: [], irqs: [] }] });
    if (!r.ok) throw new Error(r.error);
    const console = r.system.kernel.state.console;
    expect(console.length).toBeLessThanOrEqual(256 * 1024 + 64);
    expect(console).toContain("[earlier console output dropped]");
    expect(console.trimEnd().endsWith(`line 19999 ${"x".repeat(80)}`)).toBe(true);
  });
});
