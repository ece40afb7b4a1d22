/*
 * The Singularity builds run for real (builds/singularity.ts): drivers and test programs are
 * software-isolated processes (SIPs) sharing one address space and privilege level with the
 * kernel, kept apart by the checks a safe language's compiler inserts (machine/cpu.ts sfi), by
 * channels checked against their contracts (kernel/channels.ts, contracts.ts), by the exchange
 * heap's block ownership (calls/safecopy.ts) and by their manifests. Each check here is met by a
 * real guest program — a store, a privileged instruction, a message, a copy, a port access — and
 * kills the SIP alone, named so that the campaigns' classifier tells them apart (mechanismOf);
 * the same program in monolithic or minix3 shows what the check changes. Then the disk driver
 * under the files workload: fault-free (and what it costs), a wild store restarted by RS, and
 * the loop that Singularity, which has no heartbeat, never finds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mechanismOf } from "../../campaigns/classify.js";
import { BUILDS } from "../../system/builds/index.js";
import { BDEV_READ, BDEV_REPLY, CPF_READ, ECALLDENIED, EDEADSRCDST, EPERM, MSG } from "../../system/kernel/abi.js";
import type { ChannelDecl } from "../../system/kernel/channels.js";
import { PMAGIC, PROC } from "../../system/kernel/layout.js";
import { get32, messageOf, msgSource, msgType } from "../../system/kernel/message.js";
import { NATIVE_HEAP, type NativeProgram } from "../../system/kernel/native.js";
import { DRIVER_Q } from "../../system/kernel/params.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, LOOP, patchRunning } from "../support/system.js";
import { bootSystem, guestImages, hex, lines, magicOf, native, plannedEndpoints, procIndex, type ServiceOptions, stepper, TICK, word } from "./harness.js";

let images: Record<string, Uint8Array>;
beforeAll(async () => {
  images = await guestImages();
});

/** The death details of `label` the kernel recorded (crash, exit, killed). */
const deaths = (sys: System, label: string): string[] => sys.kernel.state.deaths.filter((d) => d.label === label).map((d) => d.detail);
const DRIVER: ServiceOptions = { role: "driver", priority: DRIVER_Q, kernelCalls: ["*"] };

describe("a SIP's wild store and privileged instruction", () => {
  /** A victim that keeps working (three sleeps, then "done") and a driver SIP (the stepper) running `steps(victim's magic word)`. */
  function bootWild(build: string, steps: (magic: number) => string[]) {
    const victim = stepper("victim", ["sleep:3", "sleep:3", "sleep:3"]);
    const magic = magicOf(plannedEndpoints([victim]).victim);
    const sys = bootSystem({ build: BUILDS[build], boot: [victim, stepper("wild", steps(magic), DRIVER)], images });
    expect(sys.run(20 * TICK)).toBe("limit");
    return { sys, magic };
  }

  it("singularity: a store into the kernel's process table fails the software check (the page table would have let it through): the SIP dies, the word is unchanged, the rest runs on", () => {
    const { sys, magic } = bootWild("singularity", (a) => ["sleep:1", `poke:${hex(a)}:0xdeadbeef`, "uptime"]);
    expect(deaths(sys, "wild")).toEqual([expect.stringMatching(new RegExp(`^software isolation check failed: store to ${hex(magic)}, not the process's memory, at pc 0x[0-9a-f]+$`))]);
    expect(mechanismOf(deaths(sys, "wild")[0])).toBe("sfi");
    expect(lines(sys, "wild")).toEqual(["#0 sleep r=0"]); // nothing after the store
    expect(word(sys, magic)).toBe(PMAGIC);
    expect(sys.kernel.state.panic).toBeNull();
    expect(lines(sys, "victim")).toEqual(["#0 sleep r=0", "#1 sleep r=0", "#2 sleep r=0", "done"]);
    expect(sys.machine.cpu.sfiChecks).toBeGreaterThan(0);
  });

  it("singularity with the CPU's software checks switched off: the same store lands (the SIP's page table maps all RAM writable: the check is all that stops it)", () => {
    const victim = stepper("victim", ["sleep:3"]);
    const magic = magicOf(plannedEndpoints([victim]).victim);
    const sys = bootSystem({ build: BUILDS.singularity, boot: [victim, stepper("wild", ["sleep:1", `poke:${hex(magic)}:0xdeadbeef`], DRIVER)], images });
    sys.machine.cpu.sfi = false;
    sys.run(20 * TICK);
    expect(word(sys, magic)).toBe(0xdeadbeef);
    expect(lines(sys, "wild")).toEqual(["#0 sleep r=0", "#1 poke r=0", "done"]);
  });

  it("singularity: a store into another process's memory fails the same check; the victim's memory is unchanged", () => {
    const victim = stepper("victim", ["sleep:3", "sleep:3"]);
    const sys = bootSystem({ build: BUILDS.singularity, boot: [victim, stepper("wild", ["sleep:1"], DRIVER)], images });
    // The victim's first word of memory (its text), at its physical address: the driver maps all RAM.
    const target = sys.kernel.km.proc(procIndex(sys, "victim"), PROC.memBase) >>> 0;
    const before = word(sys, target);
    const sys2 = bootSystem({ build: BUILDS.singularity, boot: [victim, stepper("wild", ["sleep:1", `poke:${hex(target)}:0xdeadbeef`], DRIVER)], images });
    expect(sys2.kernel.km.proc(procIndex(sys2, "victim"), PROC.memBase) >>> 0).toBe(target);
    expect(sys2.run(20 * TICK)).toBe("limit");
    expect(deaths(sys2, "wild").map(mechanismOf)).toEqual(["sfi"]);
    expect(deaths(sys2, "wild")[0]).toContain(`store to ${hex(target)}`);
    expect(word(sys2, target)).toBe(before);
    expect(lines(sys2, "victim")).toEqual(["#0 sleep r=0", "#1 sleep r=0", "done"]);
  });

  it("monolithic: the same store lands in the table", () => {
    const { sys, magic } = bootWild("monolithic", (a) => ["sleep:1", `poke:${hex(a)}:0xdeadbeef`, "uptime"]);
    expect(word(sys, magic)).toBe(0xdeadbeef);
    expect(deaths(sys, "wild")).toEqual([]);
    expect(lines(sys, "wild")).toEqual(["#0 sleep r=0", "#1 poke r=0", expect.stringMatching(/^#2 uptime r=0 /), "done"]);
  });

  it("singularity: reading satp (the first step of loading a page table of its own) is a privileged instruction: the SIP dies, the table is unchanged, the kernel runs on", () => {
    const run = bootWild("singularity", (a) => ["sleep:1", `satp:${hex(a)}:0xdeadbeef`]);
    const d = deaths(run.sys, "wild");
    expect(d).toEqual([expect.stringMatching(/^privileged instruction 0x[0-9a-f]+ at pc 0x[0-9a-f]+ in a software-isolated process$/)]);
    expect(mechanismOf(d[0])).toBe("privileged");
    const insn = Number(/instruction (0x[0-9a-f]+)/.exec(d[0])![1]);
    expect([insn & 0x7f, insn >>> 20]).toEqual([0x73, 0x180]); // a CSR instruction on satp
    expect(word(run.sys, run.magic)).toBe(PMAGIC);
    expect(run.sys.kernel.state.panic).toBeNull();
    expect(lines(run.sys, "victim").at(-1)).toBe("done");
    expect(run.sys.machine.halted).toBeNull();
  });

  it("singularity: an illegal (not privileged) instruction ends a SIP as any CPU exception: classified as such, not as a failed software check", () => {
    const { sys } = bootWild("singularity", () => ["sleep:1", "illegal"]);
    const d = deaths(sys, "wild");
    expect(d).toEqual([expect.stringMatching(/^illegal instruction at pc 0x[0-9a-f]+, tval 0x0$/)]);
    expect(mechanismOf(d[0])).toBe("illegal-instruction");
  });
});

/**
 * A client of a block driver (native): at start it grants the driver 64 bytes (grant 0), hands
 * that block over in one BDEV_READ (id, count), grants it another 64 bytes it hands over in no
 * request (grant 1), then records what arrives. With params "dup" it waits a tick (an alarm),
 * then sends the read twice: once without waiting, then the same again in its sendrec.
 */
interface ClientState {
  grant: number;
  other: number;
  dup: boolean;
  got: Array<{ src: number; type: number; status: number; id: number }>;
  errors: number[];
}
const READ_ID = 7;
const READ_COUNT = 16;
const client: NativeProgram<ClientState> = {
  init: (_, params) => ({ grant: -1, other: -1, dup: params.includes("dup"), got: [], errors: [] }),
  start(k) {
    const drv = k.lookup("drv")!;
    k.write(NATIVE_HEAP, Uint8Array.from({ length: 128 }, (_, i) => 0x40 + i));
    k.state.grant = k.grant(drv, NATIVE_HEAP, 64, CPF_READ);
    k.state.other = k.grant(drv, NATIVE_HEAP + 64, 64, CPF_READ);
    if (k.state.dup) k.setAlarm(1);
    else k.sendrec(drv, read(k.state.grant));
  },
  receive(k, m) {
    if (k.state.dup) {
      k.state.dup = false;
      k.send(k.lookup("drv")!, read(k.state.grant));
      k.sendrec(k.lookup("drv")!, read(k.state.grant));
      return;
    }
    k.state.got.push({ src: msgSource(m), type: msgType(m), status: get32(m, MSG.bdevReply.status), id: get32(m, MSG.bdevReply.id) });
  },
  ipcError(k, _partner, code) {
    k.state.errors.push(code);
  },
};
/** BDEV_READ of READ_COUNT bytes into the block of `grant`, id READ_ID. */
const read = (grant: number) => messageOf(BDEV_READ, MSG.bdev.count, READ_COUNT, MSG.bdev.grant, grant, MSG.bdev.id, READ_ID);

describe("a SIP's channel: the contract it exports and the blocks its requests hand over", () => {
  const exportsTo = (peer: string): Record<string, ChannelDecl[]> => ({ stepper: [{ peer, contract: "BlockDeviceContract", end: "exp" }] });

  /** The stepper "drv" exporting BlockDeviceContract to the native "client", which sends it one read. */
  function bootChannel(build: string, steps: string[], params = "") {
    const sys = bootSystem({
      build: BUILDS[build],
      boot: [native("client", "client", params), stepper("drv", steps, DRIVER)],
      natives: { client },
      images,
      manifests: exportsTo("client"),
    });
    expect(sys.run(20 * TICK)).toBe("limit");
    return { sys, state: sys.nativeState<ClientState>("client")! };
  }
  const REPLY = `sendt:@client:${BDEV_REPLY}:${READ_COUNT}:${READ_ID}`;

  it("a reply when no request is outstanding breaks the contract: the SIP dies, and a peer waiting for it sees the channel closed (EDEADSRCDST)", () => {
    const sys = bootSystem({
      build: BUILDS.singularity,
      boot: [stepper("peer", ["recv:@drv", "uptime"]), stepper("drv", ["sleep:2", `sendt:@peer:${BDEV_REPLY}:0:5`, "uptime"], DRIVER)],
      images,
      manifests: exportsTo("peer"),
    });
    const idx = procIndex(sys, "drv");
    expect(sys.kernel.km.proc(idx, PROC.channels)).not.toBe(0); // its channel page, in the exchange heap
    expect(sys.run(20 * TICK)).toBe("limit");
    expect(sys.kernel.km.proc(idx, PROC.channels)).toBe(0); // closed: the page went back to the heap
    const d = deaths(sys, "drv");
    expect(d).toEqual(["contract violation: BlockDeviceContract: reply 0x480 with id 5 answers no outstanding request"]);
    expect(mechanismOf(d[0])).toBe("contract");
    expect(lines(sys, "drv")).toEqual(["#0 sleep r=0"]);
    // The message was not delivered: the peer's receive ends with the channel's close.
    expect(lines(sys, "peer")).toEqual([`#0 recv r=-${EDEADSRCDST}`, expect.stringMatching(/^#1 uptime r=0 /), "done"]);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("the channel's state is out of the SIP's reach: a store forging a request outstanding on its own channel page fails the software check", () => {
    const steps = (page: number) => ["sleep:1", `poke:${hex(page + 4 + 24)}:1`, `sendt:@peer:${BDEV_REPLY}:0:0`];
    const opts = (page: number) => ({ build: BUILDS.singularity, boot: [stepper("peer", ["recv:@drv"]), stepper("drv", steps(page), DRIVER)], images, manifests: exportsTo("peer") });
    const probe = bootSystem(opts(0));
    const page = probe.kernel.km.proc(procIndex(probe, "drv"), PROC.channels) >>> 0;
    const sys = bootSystem(opts(page));
    expect(sys.kernel.km.proc(procIndex(sys, "drv"), PROC.channels) >>> 0).toBe(page); // the same boot, the same page
    const before = word(sys, page + 4 + 24);
    expect(sys.run(20 * TICK)).toBe("limit");
    expect(deaths(sys, "drv")).toEqual([expect.stringMatching(new RegExp(`^software isolation check failed: store to ${hex(page + 28)}, `))]);
    expect([before, word(sys, page + 28)]).toEqual([0, 0]); // no request outstanding, before and after: the store never landed
    expect(lines(sys, "peer")).toEqual([`#0 recv r=-${EDEADSRCDST}`, "done"]);
  });

  it("between two SIPs both ends of the channel follow the contract: the exporter's reply to the importer's request is delivered; a second one kills it", () => {
    const manifests: Record<string, ChannelDecl[]> = {
      stepper: [{ peer: "client", contract: "BlockDeviceContract", end: "exp" }, { peer: "drv", contract: "BlockDeviceContract", end: "imp" }],
    };
    const request = `sendt:@drv:${BDEV_READ}:0:0:0:16:-1:7`; // minor, pos, count 16, no grant, id 7
    const reply = `sendt:@client:${BDEV_REPLY}:16:7`;
    const run = (drvSteps: string[]) => {
      const sys = bootSystem({ build: BUILDS.singularity, boot: [stepper("client", [request, "recv:@drv", "recv:@drv"]), stepper("drv", drvSteps, DRIVER)], images, manifests });
      expect(sys.run(20 * TICK)).toBe("limit");
      return sys;
    };
    const once = run(["recv:@client", reply, "uptime"]);
    expect(deaths(once, "drv")).toEqual([]);
    expect(lines(once, "client").slice(0, 2)).toEqual(["#0 sendt r=0", `#1 recv r=0 src=${once.kernel.lookupLabel("drv")} type=${BDEV_REPLY} v=16`]);
    const twice = run(["recv:@client", reply, reply]);
    expect(deaths(twice, "drv")).toEqual(["contract violation: BlockDeviceContract: reply 0x480 with id 7 answers no outstanding request"]);
    const drv = plannedEndpoints([stepper("client", []), stepper("drv", [])]).drv;
    expect(lines(twice, "client").slice(1)).toEqual([`#1 recv r=0 src=${drv} type=${BDEV_REPLY} v=16`, `#2 recv r=-${EDEADSRCDST}`, "done"]);
  });

  it("minix3: the same message is delivered (no contract), and the sender lives", () => {
    const sys = bootSystem({
      build: BUILDS.minix3,
      boot: [stepper("peer", ["recv:@drv"]), stepper("drv", ["sleep:2", `sendt:@peer:${BDEV_REPLY}:0:5`], DRIVER)],
      images,
      manifests: exportsTo("peer"),
    });
    expect(sys.run(20 * TICK)).toBe("limit");
    const drv = sys.kernel.lookupLabel("drv")!;
    expect(lines(sys, "peer")).toEqual([`#0 recv r=0 src=${drv} type=${BDEV_REPLY} v=0`, "done"]);
    expect(lines(sys, "drv")).toEqual(["#0 sleep r=0", "#1 sendt r=0", "done"]);
    expect(deaths(sys, "drv")).toEqual([]);
  });

  it("a request, the copy from the block it hands over, and its reply are delivered and the SIP lives", () => {
    const { sys, state } = bootChannel("singularity", ["recv:@client", `copyfrom:@client:0:0:${READ_COUNT}`, REPLY, "uptime"]);
    expect([state.grant, state.other]).toEqual([0, 1]); // the grant ids the scripts name
    const drv = sys.kernel.lookupLabel("drv")!;
    expect(lines(sys, "drv")).toEqual([
      `#0 recv r=0 src=${sys.kernel.lookupLabel("client")} type=${BDEV_READ} v=0`,
      `#1 copyfrom data=${Array.from({ length: READ_COUNT }, (_, i) => (0x40 + i).toString(16)).join("")}`,
      "#2 sendt r=0",
      expect.stringMatching(/^#3 uptime r=0 /),
      "done",
    ]);
    expect(state).toEqual({ grant: 0, other: 1, dup: false, got: [{ src: drv, type: BDEV_REPLY, status: READ_COUNT, id: READ_ID }], errors: [] });
    expect(deaths(sys, "drv")).toEqual([]);
    expect(sys.kernel.state.counts.contractCheck).toBeGreaterThanOrEqual(2); // the request and the reply
  });

  it("a second reply to the same request kills the SIP; the client gets only the first", () => {
    const { sys, state } = bootChannel("singularity", ["recv:@client", REPLY, REPLY, "uptime"]);
    expect(deaths(sys, "drv")).toEqual([`contract violation: BlockDeviceContract: reply 0x480 with id ${READ_ID} answers no outstanding request`]);
    expect(lines(sys, "drv").slice(1)).toEqual(["#1 sendt r=0"]);
    expect(state.got.map((g) => [g.type, g.status, g.id])).toEqual([[BDEV_REPLY, READ_COUNT, READ_ID]]);
  });

  it("a reply whose id answers no request, or whose count exceeds the request's, kills the SIP; the client waiting for its reply sees EDEADSRCDST", () => {
    const wrongId = bootChannel("singularity", ["recv:@client", `sendt:@client:${BDEV_REPLY}:${READ_COUNT}:${READ_ID + 1}`]);
    expect(deaths(wrongId.sys, "drv").map(mechanismOf)).toEqual(["contract"]);
    expect(wrongId.state).toMatchObject({ got: [], errors: [-EDEADSRCDST] });
    const tooMany = bootChannel("singularity", ["recv:@client", `sendt:@client:${BDEV_REPLY}:${READ_COUNT + 1}:${READ_ID}`]);
    expect(deaths(tooMany.sys, "drv")).toEqual([`contract violation: BlockDeviceContract: Read's reply has status ${READ_COUNT + 1} (allowed -255..${READ_COUNT})`]);
    expect(tooMany.state).toMatchObject({ got: [], errors: [-EDEADSRCDST] });
  });

  it("while the request is outstanding, a copy through another grant of the client (valid, but handed over in no request) is an exchange-heap violation; minix3 copies", () => {
    const { sys, state } = bootChannel("singularity", ["recv:@client", `copyfrom:@client:1:0:${READ_COUNT}`, REPLY]);
    expect(deaths(sys, "drv")).toEqual([`exchange-heap check failed: grant 1 of client is no block the process holds`]);
    expect(state).toMatchObject({ got: [], errors: [-EDEADSRCDST] });
    const isolated = bootChannel("minix3", ["recv:@client", `copyfrom:@client:1:0:${READ_COUNT}`]);
    expect(lines(isolated.sys, "drv")[1]).toMatch(/^#1 copyfrom data=808182/);
  });

  it("the importer's side is checked too: a client (a native server) reusing an outstanding request's id fails as its handler does; the SIP lives", () => {
    const { sys } = bootChannel("singularity", ["recv:@client", REPLY, "uptime"], "dup");
    const d = deaths(sys, "client");
    expect(d).toEqual([`native handler failed: contract violation: BlockDeviceContract: Read with id ${READ_ID} while a request with that id is outstanding`]);
    expect(mechanismOf(d[0])).toBe("contract");
    expect(deaths(sys, "drv")).toEqual([]);
    // The first read (sent before the second) reached the driver; its reply found the client gone.
    expect(lines(sys, "drv").slice(0, 2)).toEqual([expect.stringMatching(new RegExp(`^#0 recv r=0 src=\\d+ type=${BDEV_READ} `)), `#1 sendt r=-${EDEADSRCDST}`]);
  });

  it("after its reply the SIP no longer holds the block: a copy from it is an exchange-heap violation", () => {
    const { sys, state } = bootChannel("singularity", ["recv:@client", REPLY, `copyfrom:@client:0:0:${READ_COUNT}`, "uptime"]);
    const d = deaths(sys, "drv");
    expect(d).toEqual([`exchange-heap check failed: grant 0 of client is no block the process holds`]);
    expect(mechanismOf(d[0])).toBe("exchange-heap");
    expect(state.got.length).toBe(1);
  });

  it("minix3: the same copy after the reply succeeds (the grant is still valid): no block ownership", () => {
    const { sys } = bootChannel("minix3", ["recv:@client", REPLY, `copyfrom:@client:0:0:${READ_COUNT}`]);
    expect(lines(sys, "drv")[2]).toMatch(/^#2 copyfrom data=404142/);
    expect(deaths(sys, "drv")).toEqual([]);
  });
});

describe("the exchange heap and the manifest, against minix3's refusals", () => {
  /** "owner" grants 16 bytes to "other" (not to the SIP); "sip" copies through that grant, then asks the uptime. */
  function bootCopy(build: string) {
    const sys = bootSystem({
      build: BUILDS[build],
      boot: [stepper("owner", ["grant:@other:r:0:16", "sleep:50"], DRIVER), stepper("other", ["sleep:50"]), stepper("sip", ["sleep:2", "copyfrom:@owner:0:0:16", "uptime"], DRIVER)],
      images,
    });
    expect(sys.run(20 * TICK)).toBe("limit");
    expect(lines(sys, "owner")[0]).toBe("#0 grant id=0");
    return sys;
  }

  it("singularity: a copy through a grant no request on a channel handed over kills the SIP (exchange-heap)", () => {
    const sys = bootCopy("singularity");
    const d = deaths(sys, "sip");
    expect(d).toEqual(["exchange-heap check failed: grant 0 of owner is no block the process holds"]);
    expect(mechanismOf(d[0])).toBe("exchange-heap");
    expect(lines(sys, "sip")).toEqual(["#0 sleep r=0"]);
    expect(sys.kernel.state.denials).toEqual([]);
  });

  it("minix3: the same copy is refused (EPERM, a recorded denial) and the process lives", () => {
    const sys = bootCopy("minix3");
    expect(lines(sys, "sip")).toEqual(["#0 sleep r=0", `#1 copyfrom r=-${EPERM}`, expect.stringMatching(/^#2 uptime r=0 /), "done"]);
    expect(deaths(sys, "sip")).toEqual([]);
    expect(sys.kernel.state.denials.map((d) => [d.label, d.kind])).toEqual([["sip", "grant"]]);
  });

  /** "sip" reads port 0x300 (not in its entry), with DEVIO allowed or not. */
  function bootPort(build: string, kernelCalls: string[]) {
    const sys = bootSystem({ build: BUILDS[build], boot: [stepper("sip", ["sleep:1", "inb:0x300", "uptime"], { ...DRIVER, kernelCalls, io: [[0x1f0, 0x1f7]] })], images });
    expect(sys.run(10 * TICK)).toBe("limit");
    return sys;
  }

  it("singularity: a port its manifest does not declare kills the SIP (manifest); minix3 returns EPERM and the process lives", () => {
    const sys = bootPort("singularity", ["*"]);
    const d = deaths(sys, "sip");
    expect(d).toEqual(["manifest check failed: a port its manifest does not declare"]);
    expect(mechanismOf(d[0])).toBe("manifest");
    expect(lines(sys, "sip")).toEqual(["#0 sleep r=0"]);
    const isolated = bootPort("minix3", ["*"]);
    expect(lines(isolated, "sip")).toEqual(["#0 sleep r=0", `#1 inb r=-${EPERM} v=0x0`, expect.stringMatching(/^#2 uptime r=0 /), "done"]);
    expect(deaths(isolated, "sip")).toEqual([]);
  });

  it("singularity: a kernel call its manifest does not declare kills the SIP; minix3 returns ECALLDENIED", () => {
    const calls = ["GETINFO", "DIAGCTL", "SETALARM", "EXIT"]; // no DEVIO
    const sys = bootPort("singularity", calls);
    expect(deaths(sys, "sip")).toEqual(["manifest check failed: a kernel call its manifest does not declare"]);
    expect(mechanismOf(deaths(sys, "sip")[0])).toBe("manifest");
    const isolated = bootPort("minix3", calls);
    expect(lines(isolated, "sip")[1]).toBe(`#1 inb r=-${ECALLDENIED} v=0x0`);
  });
});

describe("what a SIP costs: checks instead of crossings", () => {
  it("two guest processes taking turns: minix3 switches address spaces, singularity (one address space) charges none", () => {
    const run = (build: string) => {
      const sys = bootSystem({ build: BUILDS[build], boot: [stepper("a", ["sleep:1", "sleep:1", "sleep:1"]), stepper("b", ["sleep:1", "sleep:1", "sleep:1"])], images });
      expect(sys.run(10 * TICK)).toBe("limit");
      expect([lines(sys, "a").at(-1), lines(sys, "b").at(-1)]).toEqual(["done", "done"]);
      return { counts: sys.kernel.state.counts, checks: sys.machine.cpu.sfiChecks };
    };
    const minix = run("minix3"), sing = run("singularity");
    expect(minix.counts.addressSpaceSwitch).toBeGreaterThan(0);
    expect(sing.counts.addressSpaceSwitch).toBe(0);
    expect(sing.counts.tlbFlush).toBe(0);
    expect(minix.checks).toBe(0); // the CPU checks nothing outside the Singularity builds
    expect(sing.checks).toBeGreaterThan(0);
  });
});

/** lui t0, addr(upper) ; sw zero, addr(lower)(t0): a store of 0 to the absolute address `addr`. */
function storeZeroAt(addr: number): number[] {
  const lo = ((addr << 20) >> 20) & 0xfff;
  const hi = ((addr - ((lo << 20) >> 20)) >>> 12) & 0xfffff;
  return [((hi << 12) | (5 << 7) | 0x37) >>> 0, (((lo >> 5) << 25) | (5 << 15) | (2 << 12) | ((lo & 0x1f) << 7) | 0x23) >>> 0];
}
/** csrw satp, zero: a privileged instruction. */
const CSRW_SATP = 0x1800_1073;

describe("the disk driver as a SIP under the files workload", () => {
  it("fault-free: the workload passes; the software and contract checks are charged, no message copy and no address-space switch", () => {
    const run = (build: string) => {
      const { sys, params } = boot(build, filesWorkload);
      const obs = runWorkload(sys, filesWorkload, params, { ...DEFAULT_LIMITS, watch: "at_wini" });
      expect([build, obs.end, obs.oracle.verdict]).toEqual([build, "completed", "pass"]);
      expect(obs.driver!.deaths).toEqual([]);
      return obs.counters;
    };
    const sing = run("singularity"), minix = run("minix3");
    expect(sing.charged.sfiCheck).toBeGreaterThan(0);
    expect(sing.charged.sfiCheck! % BUILDS.singularity.costs.sfiCheck!).toBe(0);
    expect(sing.charged.contractCheck).toBeGreaterThan(0);
    expect(sing.charged.contractCheck! % BUILDS.singularity.costs.contractCheck!).toBe(0);
    expect(sing.charged.messageCopy).toBe(0);
    expect(sing.charged.addressSpaceSwitch).toBe(0);
    expect(sing.addressSpaceSwitches).toBe(0);
    // What minix3 pays for the same run instead: message copies and traps into the kernel for its calls.
    expect(minix.charged.messageCopy).toBeGreaterThan(0);
    expect(minix.charged.kernelCall).toBeGreaterThan(0);
    expect(sing.charged.kernelCall).toBe(0);
    expect(minix.charged.sfiCheck).toBeUndefined();
    expect(minix.charged.contractCheck).toBeUndefined();
  });

  /** The files workload with at_wini's at_transfer (run per request) starting with `words` (its running copy only). */
  function run(build: string, words: (vfsMagic: number) => number[], watchdogCycles = 300_000_000) {
    const { sys, params } = boot(build, filesWorkload);
    const magic = magicOf(sys.kernel.lookupLabel("vfs")!);
    const first = sys.kernel.lookupLabel("at_wini");
    patchRunning(sys, "at_wini", "at_transfer", words(magic));
    const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles, watch: "at_wini" });
    return { sys, obs, magic, first };
  }

  it("singularity: a wild store into VFS's process-table entry fails the software check; RS restarts the driver, the table is intact and the workload passes", () => {
    const { sys, obs, magic, first } = run("singularity", storeZeroAt);
    const d = obs.driver!.deaths.map((x) => x.detail);
    expect(d).toEqual([expect.stringMatching(new RegExp(`^software isolation check failed: store to ${hex(magic)}, `))]);
    expect(mechanismOf(d[0])).toBe("sfi");
    expect(word(sys, magic)).toBe(PMAGIC);
    expect(sys.kernel.lookupLabel("at_wini")).not.toBe(first); // a new incarnation
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    expect(obs.driver!.alive).toBe(true);
    expect(obs.panic).toBeUndefined();
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("singularity: a privileged instruction (csrw satp) kills the driver; RS restarts it and the workload passes", () => {
    const { obs } = run("singularity", () => [CSRW_SATP]);
    const d = obs.driver!.deaths.map((x) => x.detail);
    expect(d).toEqual([expect.stringMatching(new RegExp(`^privileged instruction ${hex(CSRW_SATP)} at pc 0x[0-9a-f]+ in a software-isolated process$`))]);
    expect(mechanismOf(d[0])).toBe("privileged");
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    expect([obs.end, obs.oracle.verdict]).toEqual(["completed", "pass"]);
  });

  it("singularity-norestart: the same store kills the driver for good: nothing restarts it, the workload sees errors, the system lives", () => {
    const { sys, obs, magic } = run("singularity-norestart", storeZeroAt);
    expect(obs.driver!.deaths.map((x) => mechanismOf(x.detail))).toEqual(["sfi"]);
    expect(word(sys, magic)).toBe(PMAGIC);
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(["crash", "dead"]);
    expect(obs.driver!.alive).toBe(false);
    expect(sys.kernel.lookupLabel("at_wini")).toBeUndefined();
    expect(obs.panic).toBeUndefined();
    expect([obs.end, obs.oracle.verdict]).toEqual(["completed", "errors"]); // VFS failed the requests the dead driver could not serve
    expect(obs.probe.alive).toBe(true);
  });

  it("singularity: a loop serving a request is never found (no heartbeat): the driver lives, the workload stalls, the rest of the system answers", () => {
    const { obs } = run("singularity", () => [LOOP]);
    expect(obs.end).toBe("stalled");
    expect(obs.driver!.deaths).toEqual([]);
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0)).toEqual([]);
    expect(obs.driver!.alive).toBe(true);
    expect(obs.panic).toBeUndefined();
    expect(obs.probe.alive).toBe(true); // the probe's answers kept coming: the SIP is preempted, not holding the CPU
    expect(obs.probe.answers).toBeGreaterThan(100);
    // minix3's heartbeat finds the same loop.
    const minix = run("minix3", () => [LOOP], 1_000_000_000).obs;
    expect(minix.driver!.rsEvents.map((e) => e.kind)).toContain("hang");
  });
});
