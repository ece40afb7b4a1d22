/*
 * The network server on the real system: the net server (system/servers/net), the real rtl8139
 * driver (C, on the emulated CPU, under RS), the RTL8139 model, the wire and the remote host
 * (system/net/remote-host.ts), with a scripted user process (test/support/net.ts). What is
 * checked is what the far end received and what the client read back, byte for byte; recovery
 * is the real thing: the driver crashes on an illegal instruction written into its code, RS
 * restarts it, DS announces it, the net server replays its configuration.
 */
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { ECONNREFUSED, ETIMEDOUT, NDEV_MODE_BROADCAST, NDEV_MODE_UNICAST, NET } from "../../system/kernel/abi.js";
import { inspectNet } from "../../system/servers/net/inspect.js";
import type { Wire } from "../../system/machine/network/wire.js";
import { DRV_UP, G, GLOBALS, NR_SOCKS, S_FREE, SOCK, STAGING } from "../../system/servers/net/memory.js";
import { ILLEGAL, patchRunning } from "../support/system.js";
import { bootNet, netMemOf, pattern, REMOTE, TICK, type NetBoot, type Step } from "../support/net.js";
import type { PeerPort } from "../../system/machine/network/peer.js";
import { parseMac } from "../../system/net/addr.js";
import { encodeEth, ETHERTYPE_IPV4 } from "../../system/net/ethernet.js";
import { encodeIpv4, IPPROTO_TCP } from "../../system/net/ipv4.js";
import { REMOTE_MAC } from "../../system/net/remote-host.js";
import { encodeTcp, TCP_SYN } from "../../system/net/tcp.js";

const GUEST = 0x0a00_0002;

const echo = (total: number, chunk = 8192, seed = 1): Step[] => [
  { op: "socket", type: NET.STREAM }, { op: "connect", port: 7 }, { op: "echo", total, chunk, seed }, { op: "close" },
];

/** Runs until the client is done (at most `ticks` clock ticks); fails with the server's log if not. */
function finish(n: NetBoot, ticks = 3000): void {
  const r = n.sys.runUntil(() => n.client().done, ticks * TICK, TICK);
  expect(r, JSON.stringify({ log: n.net().log.slice(-15), stats: n.net().stats, replies: n.client().replies.slice(-5) }, null, 1)).toBe("done");
}

const wireOf = (n: NetBoot): Wire => n.sys.machine.devices.find((d) => d.name === "wire") as unknown as Wire;
const bytes = (total: number, seed: number): Uint8Array => Uint8Array.from({ length: total }, (_, i) => pattern(i, seed));

/** Every socket free (the closed connection's TIME_WAIT over). */
function allFree(n: NetBoot): boolean {
  const m = netMemOf(n.sys);
  for (let s = 0; s < NR_SOCKS; s++) if (m.sock(s, SOCK.state) !== S_FREE) return false;
  return true;
}

describe("net server on the real system", () => {
  it("echoes a 64 KiB stream byte for byte, then closes both ways; the socket is freed after TIME_WAIT", () => {
    const n = bootNet(echo(65536));
    finish(n);
    const c = n.client();
    expect(c.replies.filter((r) => r.status < 0)).toEqual([]);
    expect([c.sent, c.received, c.mismatches]).toEqual([65536, 65536, 0]);
    const rec = n.host.record();
    expect(rec.streams).toHaveLength(1);
    expect(Buffer.from(rec.streams[0].received).equals(Buffer.from(bytes(65536, 1)))).toBe(true);
    expect(rec.streams[0]).toMatchObject({ port: 7, sent: 65536, resets: 0 });
    n.sys.runUntil(() => rec.streams[0].closed && allFree(n), 300 * TICK, TICK);
    expect(n.host.record().streams[0]).toMatchObject({ closed: true, finReceived: true });
    expect(allFree(n)).toBe(true);
    const st = n.net().stats;
    expect(st).toMatchObject({ driverInits: 1, recoveries: 0, resets: 0, badFrames: 0, framesDropped: 0, retransmits: 0, errors: {} });
    // ARP resolved the peer once, before the first IP packet.
    expect(st.arpRequests).toBe(1);
    expect(n.net().log.map((e) => e.what).join("\n")).toMatch(/driver rtl8139 up[\s\S]*ARP: 10\.0\.0\.1 is at 02:00:00:00:00:01[\s\S]*established/);
  });

  it("sends 64 KiB to the sink (port 9) and reads 64 KiB from the source (port 19), through both windows", () => {
    const n = bootNet([
      { op: "socket", type: NET.STREAM }, { op: "connect", port: 9 }, { op: "send", total: 65536, chunk: 16384, seed: 5 }, { op: "close" },
      { op: "socket", type: NET.STREAM }, { op: "connect", port: 19 }, { op: "source", length: 65536, seed: 9 }, { op: "close" },
    ]);
    finish(n);
    const c = n.client();
    expect(c.replies.filter((r) => r.status < 0)).toEqual([]);
    expect([c.received, c.mismatches]).toEqual([65536, 0]);
    const [sink, source] = n.host.record().streams;
    expect(sink.port).toBe(9);
    expect(Buffer.from(sink.received).equals(Buffer.from(bytes(65536, 5)))).toBe(true);
    expect(source).toMatchObject({ port: 19, sent: 65536 });
    // The source's end of stream reached the client as RECV 0.
    expect(c.replies[c.replies.length - 2]).toEqual({ type: NET.RECV, status: 0 });
  });

  it("a reader slower than the source: its window closes and reopens, and every byte arrives", () => {
    const n = bootNet([{ op: "socket", type: NET.STREAM }, { op: "connect", port: 19 }, { op: "source", length: 40000, seed: 3, readSize: 1400, pauseTicks: 1 }, { op: "close" }]);
    let least = Infinity; // the smallest window the source saw from us
    const r = n.sys.runUntil(() => {
      const conn = n.host.state.conns[0];
      if (conn) least = Math.min(least, conn.sndWnd);
      return n.client().done;
    }, 3000 * TICK, TICK / 20);
    expect(r).toBe("done");
    expect(least).toBe(0); // closed: the source had to probe it
    const c = n.client();
    expect([c.received, c.mismatches]).toEqual([40000, 0]);
    expect(c.replies.filter((r) => r.type === NET.RECV && r.status > 0).every((r) => r.status <= 1400)).toBe(true);
  });

  it("answers a segment for no connection with RST", () => {
    const n = bootNet([{ op: "socket", type: NET.DGRAM }]);
    finish(n, 100);
    const before = n.host.state.frames.in;
    const seg = encodeTcp({ srcPort: 7, dstPort: 5555, seq: 1000, ack: 0, flags: TCP_SYN, window: 1000, payload: new Uint8Array(0) }, REMOTE, GUEST);
    const ip = encodeIpv4({ src: REMOTE, dst: GUEST, protocol: IPPROTO_TCP, ttl: 64, id: 9, payload: seg });
    (n.host as unknown as { port: PeerPort }).port.transmit(encodeEth({ dst: parseMac("52:54:00:12:34:56"), src: parseMac(REMOTE_MAC), type: ETHERTYPE_IPV4, payload: ip }));
    n.sys.run(5 * TICK);
    expect(n.net().stats.rstsSent).toBe(1);
    expect(n.host.state.frames.in).toBe(before + 1); // the RST reached the remote host
  });

  it("echoes through a lossy wire (10% of frames lost each way): go-back-N retransmission on both ends delivers every byte", () => {
    const n = bootNet(echo(32768, 8192, 6), { wire: { loss: 0.1, seed: 1 } });
    finish(n, 6000);
    const c = n.client();
    expect([c.sent, c.received, c.mismatches]).toEqual([32768, 32768, 0]);
    expect(Buffer.from(n.host.record().streams[0].received).equals(Buffer.from(bytes(32768, 6)))).toBe(true);
    const w = wireOf(n).state.wire;
    expect(w.toPeer.counters.lost).toBeGreaterThan(0);
    expect(w.toNic.counters.lost).toBeGreaterThan(0);
    expect(n.net().stats.retransmits).toBeGreaterThan(0);
    expect(n.host.record().streams[0].retransmits).toBeGreaterThan(0);
  });

  it("is deterministic: two runs of the same echo end in the same state hash", () => {
    const hashes = [0, 1].map(() => {
      const n = bootNet(echo(16384, 4096, 8), { wire: { loss: 0.02, seed: 1 } });
      finish(n);
      n.sys.run(10 * TICK);
      return n.sys.stateHash();
    });
    expect(hashes[0]).toBe(hashes[1]);
  });

  it("restored from a snapshot taken mid-stream, runs to the same end", () => {
    const n = bootNet(echo(32768, 4096, 9));
    expect(n.sys.runUntil(() => n.client().received >= 8192, 2000 * TICK, TICK / 4)).toBe("done");
    const snap = n.sys.snapshot();
    const end = (): string => {
      finish(n);
      n.sys.run(10 * TICK);
      expect(n.client().mismatches).toBe(0);
      return n.sys.stateHash();
    };
    const first = end();
    n.sys.restore(snap);
    expect(n.client().received).toBeLessThan(32768);
    expect(end()).toBe(first);
  });

  it("keeps its state in its RAM region: configuration, driver, ARP cache, outstanding requests, socket table", () => {
    const n = bootNet([{ op: "socket", type: NET.STREAM }, { op: "connect", port: 9 }, { op: "socket", type: NET.DGRAM }]);
    finish(n, 200);
    n.sys.run(5 * TICK); // the handshake's last ACK leaves the driver
    expect(n.client().replies.map((r) => r.status)).toEqual([0, 0, 1]);
    const v = inspectNet(netMemOf(n.sys));
    expect(v.iface).toEqual({ ip: "10.0.0.2", netmask: "255.255.255.0", peer: "10.0.0.1", mac: "52:54:00:12:34:56", mode: NDEV_MODE_UNICAST | NDEV_MODE_BROADCAST });
    expect(v.driver).toEqual({ label: "rtl8139", endpoint: n.sys.kernel.lookupLabel("rtl8139"), status: "up", inits: 1 });
    expect(v.arp).toEqual([{ ip: "10.0.0.1", state: "resolved", mac: "02:00:00:00:00:01", tries: 1 }]);
    expect(v.outstanding).toEqual({ receives: 4, sends: 0 });
    expect(v.sockets).toMatchObject([
      { fd: 0, state: "established", type: NET.STREAM, open: true, remote: "10.0.0.1:9", sendBuffered: 0, inFlight: 0, request: 0 },
      { fd: 1, state: "dgram", type: NET.DGRAM, open: true },
    ]);
    expect(v.sockets[0].owner).toBe(n.sys.kernel.lookupLabel("netclient"));
    // The same bytes through the raw accessor: the state is the RAM, nothing host-side.
    const m = netMemOf(n.sys);
    expect(m.g(G.drvStatus)).toBe(DRV_UP);
    m.setSock(0, SOCK.rport, 4444);
    expect(inspectNet(m).sockets[0].remote).toBe("10.0.0.1:4444");
  });

  it("echoes datagrams (UDP echo on port 7)", () => {
    const n = bootNet([
      { op: "socket", type: NET.DGRAM },
      { op: "udp", port: 7, size: 100, seed: 3, timeout: 50 },
      { op: "udp", port: 7, size: 1472, seed: 4, timeout: 50 },
      { op: "udp", port: 7, size: 1, seed: 5, timeout: 50 },
      { op: "close" },
    ]);
    finish(n, 500);
    const c = n.client();
    expect(c.replies.map((r) => r.status)).toEqual([0, 100, 100, 1472, 1472, 1, 1, 0]);
    expect(c.mismatches).toBe(0);
    expect(c.replies.filter((r) => r.type === NET.RECVFROM).map((r) => r.from)).toEqual(["10.0.0.1:7", "10.0.0.1:7", "10.0.0.1:7"]);
    expect(n.host.record().udp).toEqual({ received: 3, echoed: 3 });
    expect(n.net().stats).toMatchObject({ udpOut: 3, udpIn: 3, udpDropped: 0 });
  });

  it("times a RECVFROM out when nothing comes (ETIMEDOUT), and refuses a connection to a closed port (RST: ECONNREFUSED)", () => {
    const n = bootNet([
      { op: "socket", type: NET.DGRAM },
      { op: "recvfrom", timeout: 20 },
      { op: "socket", type: NET.STREAM },
      { op: "connect", port: 4444 },
    ]);
    finish(n, 500);
    expect(n.client().replies.map((r) => r.status)).toEqual([0, -ETIMEDOUT, 1, -ECONNREFUSED]);
  });

  it("recovers from a driver crash mid-stream: RS restarts it, the server replays its configuration, the stream completes", () => {
    const n = bootNet(echo(65536, 4096, 2));
    expect(n.sys.runUntil(() => n.client().received >= 16384, 2000 * TICK, TICK / 4)).toBe("done");
    const before = n.sys.kernel.lookupLabel("rtl8139");
    patchRunning(n.sys, "rtl8139", "rl_send", [ILLEGAL]);
    finish(n, 6000);
    const c = n.client();
    expect(c.replies.filter((r) => r.status < 0)).toEqual([]);
    expect([c.sent, c.received, c.mismatches]).toEqual([65536, 65536, 0]);
    expect(Buffer.from(n.host.record().streams[0].received).equals(Buffer.from(bytes(65536, 2)))).toBe(true);
    expect(n.sys.kernel.state.events.some((e) => e.label === "rtl8139" && e.kind === "crash")).toBe(true);
    expect(n.sys.kernel.lookupLabel("rtl8139")).not.toBe(before);
    const st = n.net().stats;
    expect(st.recoveries).toBe(1);
    expect(st.driverInits).toBe(2);
    expect(st.outstandingDropped).toBeGreaterThanOrEqual(4); // at least the posted receives
    expect(st.retransmits).toBeGreaterThan(0);
    expect(n.net().log.map((e) => e.what).join("\n")).toMatch(/announced at endpoint \d+: replaying the configuration[\s\S]*driver rtl8139 up/);
    const m = netMemOf(n.sys);
    expect(m.g(G.drvEndpoint)).toBe(n.sys.kernel.lookupLabel("rtl8139"));
  });

  it("when the driver never comes back (no restarts), the stream resets with ETIMEDOUT after its retransmissions", () => {
    const n = bootNet([...echo(65536, 4096, 3).slice(0, 3)], { build: "minix3-norestart" });
    expect(n.sys.runUntil(() => n.client().received >= 8192, 2000 * TICK, TICK / 4)).toBe("done");
    patchRunning(n.sys, "rtl8139", "rl_send", [ILLEGAL]);
    finish(n, 3000);
    const last = n.client().replies[n.client().replies.length - 1];
    expect(last.status).toBe(-ETIMEDOUT);
    expect(n.net().stats.timeouts).toBeGreaterThanOrEqual(1);
    expect(n.net().log.map((e) => e.what).join("\n")).toMatch(/no acknowledgement after 12 retransmissions/);
    expect(n.sys.kernel.lookupLabel("rtl8139")).toBeUndefined();
    // The first send to the dead driver (EDEADSRCDST) marked it down; nothing is outstanding.
    expect(n.net().stats.driverLosses).toBe(1);
    expect(inspectNet(netMemOf(n.sys)).driver.status).toBe("down");
    expect(inspectNet(netMemOf(n.sys)).outstanding).toEqual({ receives: 0, sends: 0 });
    expect(n.net().log.map((e) => e.what).join("\n")).toMatch(/driver rtl8139 lost: EDEADSRCDST/);
  });

  it("a datagram client sees RECVFROM time out when the driver is gone for good", () => {
    const n = bootNet([{ op: "socket", type: NET.DGRAM }, { op: "udp", port: 7, size: 64, seed: 1, timeout: 30 }, { op: "udp", port: 7, size: 64, seed: 2, timeout: 30 }], { build: "minix3-norestart" });
    // Once the first datagram is on the wire, the driver's next send (the second datagram's) kills it.
    expect(n.sys.runUntil(() => n.host.record().udp.received >= 1, 500 * TICK, TICK / 100)).toBe("done");
    patchRunning(n.sys, "rtl8139", "rl_send", [ILLEGAL]);
    finish(n, 500);
    expect(n.client().replies.map((r) => r.status)).toEqual([0, 64, 64, 64, -ETIMEDOUT]);
  });

  it("drops corrupted frames (bad FCS) and hides them by retransmission", () => {
    const n = bootNet(echo(32768, 8192, 4), { wire: { corrupt: 0.05, seed: 7 } });
    finish(n, 6000);
    const c = n.client();
    expect([c.sent, c.received, c.mismatches]).toEqual([32768, 32768, 0]);
    expect(Buffer.from(n.host.record().streams[0].received).equals(Buffer.from(bytes(32768, 4)))).toBe(true);
    const w = wireOf(n).state.wire;
    expect(w.toPeer.counters.corrupted + w.toNic.counters.corrupted).toBeGreaterThan(0);
    expect(n.net().stats.retransmits + n.host.record().streams[0].retransmits).toBeGreaterThan(0);
  });

  it("never throws on the host, nor crashes, when its RAM state is corrupted mid-stream", () => {
    const randomBytes = (m: ReturnType<typeof netMemOf>, seed: number): void => {
      const rng = seedrandom(`net garbage ${seed}`);
      for (let i = 0; i < 400; i++) m.u8[GLOBALS + Math.floor(rng() * (STAGING - GLOBALS))] = Math.floor(rng() * 256);
    };
    const garbage: Array<(m: ReturnType<typeof netMemOf>, seed: number) => void> = [
      randomBytes, randomBytes, randomBytes, // seeds 1, 2, 3
      // Every word of the globals, ARP cache, frame headers and socket table set to one value.
      ...[-1, 0x7fff_ffff, -0x8000_0000, 65536, 6].map((v) => (m: ReturnType<typeof netMemOf>) => m.i32.fill(v, GLOBALS >> 2, STAGING >> 2)),
    ];
    garbage.forEach((spoil, i) => {
      const n = bootNet([...echo(32768, 4096, i), { op: "socket", type: NET.DGRAM }, { op: "udp", port: 7, size: 10, seed: 1, timeout: 10 }]);
      expect(n.sys.runUntil(() => n.client().received >= 8192, 2000 * TICK, TICK / 4)).toBe("done");
      spoil(netMemOf(n.sys), i + 1);
      expect(() => n.sys.run(300 * TICK)).not.toThrow();
      expect(n.sys.kernel.state.panic).toBeFalsy();
      expect(n.sys.kernel.state.events.filter((e) => e.label === "inet" && e.kind !== "start")).toEqual([]);
    });
  });
});
