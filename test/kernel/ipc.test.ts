/*
 * IPC with MINIX semantics, observed on the running minix3 build: guest test programs (the
 * stepper, real C on the emulated CPU) do SEND / RECEIVE / SENDREC / NOTIFY / SENDNB through
 * libsys, and the tests read their results from the console and the process table in RAM.
 * Where "first" matters, the other party sleeps (alarm + receive from CLOCK) so that the first
 * one is observably blocked before the second acts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { checkAll } from "../../system/kernel/check.js";
import {
  ANY, ECALLDENIED, EDEADSRCDST, EFAULT, ELOCKED, ENOTREADY, NOTIFY_MESSAGE,
} from "../../system/kernel/abi.js";
import { PROC, RTS_RECEIVING, RTS_SENDING, PRIV } from "../../system/kernel/layout.js";
import { slotIndex } from "../../system/kernel/params.js";
import { endpointOf, endpointSlot } from "../../system/kernel/proc.js";
import { spawn } from "../../system/kernel/spawn.js";
import type { System } from "../../system/system.js";
import {
  bootSystem, events, guestImages, ipcState, lines, plannedEndpoints, procIndex, runUntilDone, step, stepper, TICK,
} from "./harness.js";

const TEST_TYPE = 0x77;
const REPLY_TYPE = TEST_TYPE + 1;
let images: Record<string, Uint8Array>;

beforeAll(async () => {
  images = await guestImages();
});

function boot(confs: ServiceConf[], build = BUILDS.minix3): { sys: System; ep: Record<string, number> } {
  return { sys: bootSystem({ build, boot: confs, images }), ep: plannedEndpoints(confs) };
}

/** The line a stepper prints for a received ordinary message. */
const got = (i: number, src: number, v: number, type = TEST_TYPE): string => `#${i} recv r=0 src=${src} type=${type} v=${v}`;

function expectAlive(sys: System): void {
  expect(sys.kernel.state.panic).toBeNull();
  expect(checkAll(sys.kernel.km)).toBeUndefined();
}

describe("SEND / RECEIVE rendezvous", () => {
  it("receiver first: the receiver blocks in RECEIVE, the later SEND delivers at once", () => {
    const { sys, ep } = boot([stepper("r", ["recv:any"]), stepper("s", ["sleep:3", "send:@r:42"])]);
    sys.run(2 * TICK);
    expect(ipcState(sys, "r")).toEqual({ rts: RTS_RECEIVING, sendTo: expect.any(Number), getFrom: ANY });
    expect(lines(sys, "r")).toEqual([]);
    expect(runUntilDone(sys, ["r", "s"])).toBe("done");
    expect(lines(sys, "r")).toEqual([got(0, ep.s, 42), "done"]);
    expect(lines(sys, "s")).toEqual(["#0 sleep r=0", "#1 send r=0", "done"]);
    expectAlive(sys);
  });

  it("sender first: the sender blocks in SEND until the receiver's RECEIVE takes the message", () => {
    const { sys, ep } = boot([stepper("s", ["send:@r:42"]), stepper("r", ["sleep:3", "recv:any"])]);
    sys.run(2 * TICK);
    expect(ipcState(sys, "s")).toMatchObject({ rts: RTS_SENDING, sendTo: ep.r });
    expect(lines(sys, "s")).toEqual([]);
    expect(runUntilDone(sys, ["r", "s"])).toBe("done");
    expect(lines(sys, "s")).toEqual(["#0 send r=0", "done"]);
    expect(lines(sys, "r")).toEqual(["#0 sleep r=0", got(1, ep.s, 42), "done"]);
    expectAlive(sys);
  });

  it("RECEIVE from a specific endpoint ignores another waiting sender until a later RECEIVE", () => {
    const { sys, ep } = boot([
      stepper("r", ["recv:@b", "recv:any"]),
      stepper("a", ["send:@r:1"]),
      stepper("b", ["sleep:3", "send:@r:2"]),
    ]);
    sys.run(2 * TICK);
    expect(ipcState(sys, "r")).toMatchObject({ rts: RTS_RECEIVING, getFrom: ep.b });
    expect(ipcState(sys, "a")).toMatchObject({ rts: RTS_SENDING, sendTo: ep.r });
    expect(runUntilDone(sys, ["r", "a", "b"])).toBe("done");
    expect(lines(sys, "r")).toEqual([got(0, ep.b, 2), got(1, ep.a, 1), "done"]);
    expect(lines(sys, "a")).toEqual(["#0 send r=0", "done"]);
    expectAlive(sys);
  });
});

describe("SENDREC", () => {
  it.each([
    ["server receiving first", ["srv", "cli"]],
    ["client sending first", ["cli", "srv"]],
  ])("round trip, %s", (_, order) => {
    const confs: Record<string, ServiceConf> = {
      srv: stepper("srv", ["recv:any", "reply:43"]),
      cli: stepper("cli", ["sendrec:@srv:42"]),
    };
    const { sys, ep } = boot(order.map((l) => confs[l]));
    expect(runUntilDone(sys, ["srv", "cli"])).toBe("done");
    expect(lines(sys, "srv")).toEqual([got(0, ep.cli, 42), "#1 reply r=0", "done"]);
    expect(lines(sys, "cli")).toEqual([`#0 sendrec r=0 src=${ep.srv} type=${REPLY_TYPE} v=43`, "done"]);
    expectAlive(sys);
  });
});

describe("NOTIFY", () => {
  it("is delivered as NOTIFY_MESSAGE with m_source = the notifier", () => {
    const { sys, ep } = boot([stepper("r", ["recv:any"]), stepper("n", ["notify:@r"])]);
    expect(runUntilDone(sys, ["r", "n"])).toBe("done");
    expect(lines(sys, "n")).toEqual(["#0 notify r=0", "done"]);
    expect(step(sys, "r", 0)).toMatchObject({ op: "recv", r: "0", src: String(ep.n), type: String(NOTIFY_MESSAGE), i: "0" });
    expectAlive(sys);
  });

  it("coalesces: three notifies before the receiver receives give exactly one notification", () => {
    const { sys, ep } = boot([
      stepper("n", ["notify:@r", "notify:@r", "notify:@r", "send:@r:99"]),
      stepper("r", ["sleep:3", "recv:any", "recv:any"]),
    ]);
    sys.run(2 * TICK);
    const km = sys.kernel.km;
    expect(km.privBit(procIndex(sys, "r"), PRIV.notifyPending, procIndex(sys, "n"))).toBe(true);
    expect(lines(sys, "n")).toEqual(["#0 notify r=0", "#1 notify r=0", "#2 notify r=0"]);
    expect(runUntilDone(sys, ["r", "n"])).toBe("done");
    sys.run(5 * TICK);
    const r = lines(sys, "r");
    // The second RECEIVE gets the ordinary message: no second notification was pending.
    expect(r).toHaveLength(4);
    expect(step(sys, "r", 1)).toMatchObject({ r: "0", src: String(ep.n), type: String(NOTIFY_MESSAGE) });
    expect(r[2]).toBe(got(2, ep.n, 99));
    expect(r[3]).toBe("done");
    expect(km.privBit(procIndex(sys, "r"), PRIV.notifyPending, procIndex(sys, "n"))).toBe(false);
    expectAlive(sys);
  });
});

describe("SENDNB", () => {
  it("fails with ENOTREADY while the receiver is not waiting, and delivers when it is", () => {
    const { sys, ep } = boot([
      stepper("r", ["sleep:3", "recv:any"]),
      stepper("s", ["sendnb:@r:1", "sleep:6", "sendnb:@r:2"]),
    ]);
    expect(runUntilDone(sys, ["r", "s"])).toBe("done");
    sys.run(3 * TICK);
    expect(lines(sys, "s")).toEqual([`#0 sendnb r=${-ENOTREADY}`, "#1 sleep r=0", "#2 sendnb r=0", "done"]);
    expect(lines(sys, "r")).toEqual(["#0 sleep r=0", got(1, ep.s, 2), "done"]);
    expectAlive(sys);
  });
});

describe("the IPC send mask", () => {
  it("denies SEND and NOTIFY outside ipcTo with ECALLDENIED; a SEND inside works", () => {
    const { sys, ep } = boot([
      stepper("a", ["send:@c:1", "notify:@c", "send:@b:2"], { ipcTo: ["b"] }),
      stepper("b", ["recv:any"]),
      stepper("c", ["recv:any"]),
    ]);
    expect(runUntilDone(sys, ["a", "b"])).toBe("done");
    sys.run(3 * TICK);
    expect(lines(sys, "a")).toEqual([`#0 send r=${-ECALLDENIED}`, `#1 notify r=${-ECALLDENIED}`, "#2 send r=0", "done"]);
    expect(lines(sys, "b")).toEqual([got(0, ep.a, 2), "done"]);
    expect(lines(sys, "c")).toEqual([]);
    expect(ipcState(sys, "c")).toMatchObject({ rts: RTS_RECEIVING, getFrom: ANY });
    expectAlive(sys);
  });
});

describe("deadlock detection", () => {
  it("A blocked sending to B, then B sends to A: B gets ELOCKED (and A's message is still there)", () => {
    const { sys, ep } = boot([stepper("a", ["send:@b:1"]), stepper("b", ["sleep:2", "send:@a:2", "recv:@a"])]);
    expect(runUntilDone(sys, ["a", "b"])).toBe("done");
    expect(lines(sys, "b")).toEqual(["#0 sleep r=0", `#1 send r=${-ELOCKED}`, got(2, ep.a, 1), "done"]);
    expect(lines(sys, "a")).toEqual(["#0 send r=0", "done"]);
    expectAlive(sys);
  });

  it("a cycle of three senders: the one closing it gets ELOCKED; the chain then unwinds", () => {
    const { sys, ep } = boot([
      stepper("a", ["send:@b:1"]),
      stepper("b", ["send:@c:2"]),
      stepper("c", ["sleep:2", "send:@a:3"]),
    ]);
    sys.run(TICK);
    expect(ipcState(sys, "a")).toMatchObject({ rts: RTS_SENDING, sendTo: ep.b });
    expect(ipcState(sys, "b")).toMatchObject({ rts: RTS_SENDING, sendTo: ep.c });
    expect(runUntilDone(sys, ["a", "b", "c"])).toBe("done");
    // c's ELOCKED send left nothing behind: its receive loop takes b's message, b's takes a's.
    expect(lines(sys, "c")).toEqual(["#0 sleep r=0", `#1 send r=${-ELOCKED}`, "done", `late r=0 src=${ep.b} type=${TEST_TYPE} v=2`]);
    expect(lines(sys, "b")).toEqual(["#0 send r=0", "done", `late r=0 src=${ep.a} type=${TEST_TYPE} v=1`]);
    expect(lines(sys, "a")).toEqual(["#0 send r=0", "done"]);
    expectAlive(sys);
  });

  // MINIX's mini_receive calls deadlock(RECEIVE, ...) before blocking, and deadlock() follows
  // P_BLOCKEDON: the send-to endpoint of a sender, the receive-from endpoint of a receiver.
  it("mutual RECEIVE: A receives from B, then B receives from A: B gets ELOCKED", () => {
    const { sys, ep } = boot([stepper("a", ["recv:@b"]), stepper("b", ["sleep:2", "recv:@a"])]);
    sys.run(TICK);
    expect(ipcState(sys, "a")).toMatchObject({ rts: RTS_RECEIVING, getFrom: ep.b });
    runUntilDone(sys, ["b"], 10);
    expect(lines(sys, "b")).toEqual(["#0 sleep r=0", `#1 recv r=${-ELOCKED}`, "done"]);
    expectAlive(sys);
  });

  it("a cycle through a receiver: A receives from B, B sends to C, C sends to A: C gets ELOCKED", () => {
    const { sys } = boot([stepper("a", ["recv:@b"]), stepper("b", ["send:@c:1"]), stepper("c", ["sleep:2", "send:@a:3"])]);
    runUntilDone(sys, ["c"], 10);
    expect(lines(sys, "c").slice(0, 3)).toEqual(["#0 sleep r=0", `#1 send r=${-ELOCKED}`, "done"]);
    expectAlive(sys);
  });
});

describe("EDEADSRCDST", () => {
  it("a process blocked in SENDREC gets EDEADSRCDST when its partner crashes (illegal instruction)", () => {
    const { sys, ep } = boot([stepper("cli", ["sendrec:@srv:5"]), stepper("srv", ["recv:any", "illegal"])]);
    expect(runUntilDone(sys, ["cli"])).toBe("done");
    expect(lines(sys, "srv")).toEqual([got(0, ep.cli, 5), "#1 illegal"]);
    expect(lines(sys, "cli")).toEqual([`#0 sendrec r=${-EDEADSRCDST}`, "done"]);
    const crash = events(sys, "crash", "srv");
    expect(crash).toHaveLength(1);
    expect(crash[0].detail).toMatch(/^illegal instruction at pc 0x4[0-9a-f]{5}, tval 0x0$/);
    expect(crash[0].endpoint).toBe(ep.srv);
    expect(sys.kernel.lookupLabel("srv")).toBeUndefined();
    expectAlive(sys);
  });

  it("a process blocked in SEND gets EDEADSRCDST when the receiver exits", () => {
    const { sys } = boot([stepper("s", ["send:@d:5"]), stepper("d", ["sleep:2", "exit:7"])]);
    expect(runUntilDone(sys, ["s"])).toBe("done");
    expect(lines(sys, "s")).toEqual([`#0 send r=${-EDEADSRCDST}`, "done"]);
    expect(events(sys, "exit", "d").map((e) => e.detail)).toEqual(["exit status 7"]);
    expectAlive(sys);
  });

  it("a process blocked in RECEIVE from a specific process gets EDEADSRCDST when it crashes", () => {
    const { sys } = boot([stepper("r", ["recv:@d"]), stepper("d", ["sleep:2", "illegal"])]);
    expect(runUntilDone(sys, ["r"])).toBe("done");
    expect(lines(sys, "r")).toEqual([`#0 recv r=${-EDEADSRCDST}`, "done"]);
    expect(events(sys, "crash", "d")).toHaveLength(1);
    expectAlive(sys);
  });

  it("a message to a stale endpoint (slot reused by a new generation) fails; the new endpoint works", () => {
    const confs = [stepper("d", ["exit:0"]), stepper("s", ["sleep:3", "send:@d:7", `send:${endpointOf(1, 3)}:8`])];
    const { sys, ep } = boot(confs);
    expect(endpointSlot(ep.d)).toBe(3);
    expect(sys.runUntil(() => events(sys, "exit", "d").length > 0, 2 * TICK, TICK / 4)).toBe("done");
    const r = spawn(sys.kernel, stepper("d2", ["recv:any"]), images.stepper, 3);
    expect(r).toEqual({ ok: true, idx: slotIndex(3), endpoint: endpointOf(1, 3) });
    expect(runUntilDone(sys, ["s", "d2"])).toBe("done");
    expect(lines(sys, "s")).toEqual(["#0 sleep r=0", `#1 send r=${-EDEADSRCDST}`, "#2 send r=0", "done"]);
    expect(lines(sys, "d2")).toEqual([got(0, ep.s, 8), "done"]);
    expect(sys.kernel.km.proc(slotIndex(3), PROC.endpoint)).toBe(endpointOf(1, 3));
    expectAlive(sys);
  });
});

describe("bad message pointers", () => {
  it("SEND and RECEIVE with an unmapped message buffer return EFAULT; the caller and the kernel live on", () => {
    const { sys, ep } = boot([
      stepper("r", ["recv:any", "recv:any"]),
      stepper("s", ["badsend:@r", "badrecv:any", "send:@r:5", "badsend:@r", "send:@r:6"]),
    ]);
    expect(runUntilDone(sys, ["r", "s"])).toBe("done");
    expect(lines(sys, "s")).toEqual([
      `#0 badsend r=${-EFAULT}`, // r was waiting: the copy from the bad buffer fails
      `#1 badrecv r=${-EFAULT}`,
      "#2 send r=0",
      `#3 badsend r=${-EFAULT}`, // r was busy: the buffer is checked before blocking
      "#4 send r=0",
      "done",
    ]);
    expect(lines(sys, "r")).toEqual([got(0, ep.s, 5), got(1, ep.s, 6), "done"]);
    expect(sys.kernel.state.events.filter((e) => e.kind === "crash")).toEqual([]);
    expectAlive(sys);
  });
});

describe("the same IPC in the monolithic build", () => {
  it("has no send mask: the SEND and NOTIFY minix3 denies are delivered", () => {
    const { sys, ep } = boot(
      [stepper("a", ["send:@c:1", "notify:@c", "send:@b:2"], { ipcTo: ["b"] }), stepper("b", ["recv:any"]), stepper("c", ["recv:any"])],
      BUILDS.monolithic,
    );
    expect(runUntilDone(sys, ["a", "b", "c"])).toBe("done");
    sys.run(2 * TICK);
    expect(lines(sys, "a")).toEqual(["#0 send r=0", "#1 notify r=0", "#2 send r=0", "done"]);
    expect(lines(sys, "c")[0]).toBe(got(0, ep.a, 1));
    expect(lines(sys, "c")[1]).toBe("done");
    expect(lines(sys, "c")[2]).toMatch(new RegExp(`^late r=0 src=${ep.a} type=${NOTIFY_MESSAGE} t=\\d+ i=0$`));
    expect(sys.kernel.state.panic).toBeNull();
  });
});
