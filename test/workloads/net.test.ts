/*
 * The net workload on the real system (DS, RS managing the real rtl8139 driver, the network
 * server, the NIC, the wire, the remote host), judged by its oracle: a fault-free run passes in
 * both builds and really moves the stream through the remote host; a driver crash mid-stream is
 * recovered (RS restarts the driver, the server replays its configuration, the stream completes
 * byte for byte); a byte corrupted in the network server's send buffer reaches the remote host
 * and comes back, and the oracle calls it corrupt; a driver that never comes back ends in errors,
 * not in a pass; the same seed gives the same final state.
 */
import { describe, expect, it } from "vitest";
import { ILLEGAL, patchRunning, procIndex } from "../support/system.js";
import { PROC } from "../../system/kernel/layout.js";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { netWorkload, judgeNet } from "../../system/workloads/net-oracle.js";
import { netParams, streamBytes, writeSize, type NetState } from "../../system/workloads/net.js";
import type { RemoteHostRecord } from "../../system/net/remote-host.js";

const PARAMS = "seed=5 bytes=65536 maxwrite=3000 udp=3";

function compose(build = "minix3", params = PARAMS): System {
  const c = composeSystem(BUILDS[build], netWorkload, { params });
  if (!c.ok) throw new Error(c.error);
  return c.system;
}

const state = (sys: System): NetState => sys.nativeState<NetState>("net")!;
const remote = (sys: System): RemoteHostRecord => {
  const wire = Object.values(sys.machine.records()).find((r) => r.kind === "wire");
  if (!wire || wire.kind !== "wire") throw new Error("no wire");
  return wire.peer as RemoteHostRecord;
};

describe("the write plan", () => {
  it("starts with the edge sizes and stays within 1..maxwrite", () => {
    const p = netParams("maxwrite=3000");
    expect([0, 1, 2, 3].map((i) => writeSize(p, i))).toEqual([1, 1460, 1461, 3000]);
    const sizes = Array.from({ length: 200 }, (_, i) => writeSize(p, i + 4));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3000);
    expect(new Set(sizes).size).toBeGreaterThan(100);
  });
});

describe("the net workload", () => {
  it.each(["minix3", "monolithic"])("%s: a fault-free run passes and the remote host received exactly the stream", (build) => {
    const sys = compose(build);
    const o = runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
    expect(o.end).toBe("completed");
    expect(o.oracle.verdict).toBe("pass");
    const s = state(sys);
    expect([s.sent, s.received, s.echoed, s.lost]).toEqual([65536, 65536, 3, 0]);
    const echo = remote(sys).streams.filter((c) => c.port === 7);
    expect(echo).toHaveLength(1);
    expect(Buffer.compare(echo[0].received, streamBytes(5, 0, 65536))).toBe(0);
    expect(remote(sys).udp).toEqual({ received: 3, echoed: 3 });
  });

  it("the same seed gives the same final state", () => {
    const hashes = [0, 1].map(() => {
      const sys = compose();
      runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
      return sys.stateHash();
    });
    expect(hashes[0]).toBe(hashes[1]);
  });

  it("minix3: the driver crashes mid-stream, RS restarts it, the stream completes byte for byte", () => {
    const sys = compose();
    expect(sys.runUntil(() => state(sys).received >= 20_000, 2_000_000_000)).toBe("done");
    patchRunning(sys, "rtl8139", "rl_send", [ILLEGAL]);
    const o = runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
    const events = sys.kernel.state.events.filter((e) => e.label === "rtl8139").map((e) => e.kind);
    expect(events).toContain("crash");
    expect(events.filter((e) => e === "start").length).toBeGreaterThanOrEqual(2);
    expect(o.end).toBe("completed");
    expect(o.oracle.verdict).toBe("pass");
    expect(Buffer.compare(remote(sys).streams.find((c) => c.port === 7)!.received, streamBytes(5, 0, 65536))).toBe(0);
    // Frames were lost with the old driver: the stream protocol resent them.
    expect(remote(sys).streams[0].retransmits + sys.nativeState<{ stats: Record<string, number> }>("inet")!.stats.retransmits).toBeGreaterThan(0);
  });

  it("minix3-norestart: a driver that dies for good ends in errors, never in a pass", () => {
    const sys = compose("minix3-norestart");
    expect(sys.runUntil(() => state(sys).received >= 20_000, 2_000_000_000)).toBe("done");
    patchRunning(sys, "rtl8139", "rl_send", [ILLEGAL]);
    const o = runWorkload(sys, netWorkload, PARAMS, { ...DEFAULT_LIMITS, budgetCycles: 4_000_000_000, watchdogCycles: 2_000_000_000 });
    expect(o.oracle.verdict).toBe("errors");
    expect(state(sys).errors.map((e) => e.error)).toContain("ETIMEDOUT");
  });

  it("a byte corrupted in the network server's memory crosses the wire: the oracle calls it corrupt", () => {
    const sys = compose();
    expect(sys.runUntil(() => state(sys).sent >= 30_000 && state(sys).received < state(sys).sent - 1000, 2_000_000_000)).toBe("done");
    // The last bytes the program wrote, wherever the server holds them (its send ring, a frame
    // buffer): flip one byte in every copy, so the live one is hit.
    const s = state(sys);
    const last = Buffer.from(streamBytes(5, s.sent - 64, s.sent));
    const ram = sys.machine.bus.ram;
    const idx = procIndex(sys, "inet");
    const base = (sys.kernel.km.proc(idx, PROC.memBase) >>> 0) - sys.machine.bus.ramBase;
    const region = Buffer.from(ram.buffer, ram.byteOffset + base, sys.kernel.km.proc(idx, PROC.memSize) >>> 0);
    let copies = 0;
    for (let at = region.indexOf(last); at >= 0; at = region.indexOf(last, at + 1), copies++) region[at + 10] ^= 0x5a;
    expect(copies).toBeGreaterThan(0);
    const o = runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
    expect(o.oracle.verdict).toBe("corrupt");
    const j = judgeNet(PARAMS, state(sys), sys.machine.records());
    // The remote host received the flipped byte (the server checksummed what it held), or the program read it back wrong.
    expect(j.remoteWrongAt === s.sent - 54 || j.programMismatches.length > 0).toBe(true);
  });

  it("minix3: with the disk driver in the same system, a crash of the NIC driver leaves the disk driver untouched", () => {
    const c = composeSystem(BUILDS.minix3, netWorkload, { params: PARAMS, drivers: [{ driver: "rtl8139" }, { driver: "at_wini" }] });
    if (!c.ok) throw new Error(c.error);
    const sys = c.system;
    const disk = sys.kernel.lookupLabel("at_wini");
    expect(disk).toBeDefined();
    expect(sys.runUntil(() => state(sys).received >= 20_000, 2_000_000_000)).toBe("done");
    patchRunning(sys, "rtl8139", "rl_send", [ILLEGAL]);
    const o = runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
    expect(o.oracle.verdict).toBe("pass");
    expect(sys.kernel.state.events.filter((e) => e.label === "rtl8139").map((e) => e.kind)).toContain("crash");
    // The disk driver: the same process (endpoint), never crashed, restarted or refused anything.
    expect(sys.kernel.lookupLabel("at_wini")).toBe(disk);
    expect(sys.kernel.state.events.filter((e) => e.label === "at_wini").map((e) => e.kind)).toEqual(["start"]);
  });
});
