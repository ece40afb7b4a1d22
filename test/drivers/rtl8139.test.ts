// The rtl8139 driver on the real system: the C driver (system/drivers/rtl8139, libsys's
// netdriver) runs on the emulated CPU under the minix3 build, drives the RTL8139 model and its
// wire, and serves the NDEV protocol to a native test client (the workload below, which plays
// the network server's part). The far end of the wire is a small recording peer; the NIC, wire,
// kernel, RS and DS are the real ones. A frame reaching the peer passed the wire's FCS check.
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import {
  CPF_READ, CPF_WRITE, DS_CHECK, DS_REPLY, DS_SUBSCRIBE, EBUSY, EINVAL, ENOTREADY, MSG, NDEV_CONF, NDEV_GETSTAT, NDEV_INIT, NDEV_MODE_BROADCAST,
  NDEV_MODE_UNICAST, NDEV_PENDING_MAX, NDEV_RECV, NDEV_REPLY_BIT, NDEV_SEND, NDEV_STAT_FIELDS, NOTIFY_MESSAGE, OK,
} from "../../system/kernel/abi.js";
import { get32, getString, msgSource, msgType, newMessage, setString, type Message } from "../../system/kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../../system/kernel/native.js";
import { HZ, USER_Q } from "../../system/kernel/params.js";
import { PERIPHERALS } from "../../system/machine/devices/index.js";
import { CPU_HZ } from "../../system/machine/memmap.js";
import type { NetPeer, PeerPort } from "../../system/machine/network/peer.js";
import type { RsState } from "../../system/servers/rs/types.js";
import type { System } from "../../system/system.js";
import type { Workload } from "../../system/workloads/workload.js";
import { DRIVER_TEXT_BASE } from "../../system/kernel/abi.js";
import { PROC } from "../../system/kernel/layout.js";
import { BROADCAST_MAC, parseIp } from "../../system/net/addr.js";
import { ARP_REPLY, ARP_REQUEST, decodeArp, encodeArp } from "../../system/net/arp.js";
import { decodeEth, encodeEth, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../system/net/ethernet.js";
import { decodeIpv4, encodeIpv4, IPPROTO_UDP } from "../../system/net/ipv4.js";
import { GUEST_IP, REMOTE_IP, RemoteHost } from "../../system/net/remote-host.js";
import { decodeUdp, encodeUdp } from "../../system/net/udp.js";
import { ILLEGAL, patchRunning, procIndex, symbolAddress } from "../support/system.js";

const TICK = CPU_HZ / HZ;
const GUEST_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const OTHER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x99];
const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const BUF = 0x800; // one buffer per request id (modulo BUFS), in the client's region
const BUFS = 96;

/** A request the test queues for the client; sent at the client's next tick. */
interface Req {
  type: number;
  count?: number;
  mode?: number;
  frame?: number[];
}
/** A reply the client saw. */
interface Reply {
  type: number;
  status: number;
  id: number;
  link: number;
  mac: string;
  data?: number[];
}
interface ClientState {
  driver: string;
  outbox: Req[];
  replies: Reply[];
  nextId: number;
  /** Outstanding requests by id: buffer, grant, type. */
  out: Record<number, { va: number; grant: number; type: number }>;
  /** Keep this many NDEV_RECVs posted (after an NDEV_INIT). */
  keepRecvs: number;
  recvsOut: number;
  /** Frames received (RECV replies with a length), in order. */
  frames: number[][];
  /** DS keys announced under "drv.net.", in order of notification. */
  announcements: string[];
  /** A DS_CHECK is on its way (its reply names a changed key). */
  checking: boolean;
}

const macString = (lo: number, hi: number): string =>
  [lo, lo >>> 8, lo >>> 16, lo >>> 24, hi, hi >>> 8].map((b) => (b & 0xff).toString(16).padStart(2, "0")).join(":");

/** Sends request `r` to the driver: its buffer (a frame for a send) and grant, then the message. */
function issue(k: NativeApi<ClientState>, r: Req): void {
  const s = k.state;
  const ep = k.lookup(s.driver);
  if (ep === undefined) return;
  const id = s.nextId++;
  const va = NATIVE_HEAP + (id % BUFS) * BUF;
  let grant = -1;
  const count = r.count ?? r.frame?.length ?? 0;
  if (r.type === NDEV_SEND || r.type === NDEV_RECV || r.type === NDEV_GETSTAT) {
    if (r.frame) k.write(va, Uint8Array.from(r.frame));
    grant = k.grant(ep, va, Math.min(count, BUF), r.type === NDEV_SEND ? CPF_READ : CPF_WRITE);
  }
  s.out[id] = { va, grant, type: r.type };
  if (r.type === NDEV_RECV) s.recvsOut++;
  k.send(ep, newMessage(r.type, { [MSG.ndev.id]: id, [MSG.ndev.grant]: grant, [MSG.ndev.count]: count, [MSG.ndev.mode]: r.mode ?? 0 }));
}

function topUpRecvs(k: NativeApi<ClientState>): void {
  while (k.state.recvsOut < k.state.keepRecvs) issue(k, { type: NDEV_RECV, count: 1514 });
}

/** An NDEV reply: recorded with what its buffer holds; the grant is revoked. */
function onReply(k: NativeApi<ClientState>, m: Message): void {
  const s = k.state;
  const id = get32(m, MSG.ndevReply.id);
  const status = get32(m, MSG.ndevReply.status);
  const type = msgType(m) & ~NDEV_REPLY_BIT;
  const o = s.out[id];
  const reply: Reply = { type, status, id, link: get32(m, MSG.ndevReply.link), mac: macString(get32(m, MSG.ndevReply.hwaddrLo), get32(m, MSG.ndevReply.hwaddrHi)) };
  if (o) {
    if (type === NDEV_RECV && status > 0) reply.data = Array.from(k.read(o.va, status));
    if (type === NDEV_GETSTAT && status === OK) reply.data = Array.from({ length: NDEV_STAT_FIELDS.length }, (_, i) => get32(k.read(o.va + 4 * i, 4), 0) >>> 0);
    if (o.grant >= 0) k.revoke(o.grant);
    delete s.out[id];
  }
  s.replies.push(reply);
  if (type === NDEV_INIT) s.recvsOut = 0; // the driver forgot what was waiting
  if (type === NDEV_RECV) {
    s.recvsOut = Math.max(0, s.recvsOut - 1);
    if (status > 0) {
      s.frames.push(reply.data!);
      topUpRecvs(k);
    }
  }
}

const dsRequest = (type: number, key = ""): Message => {
  const m = newMessage(type);
  setString(m, MSG.ds.key, MSG.ds.keyLen, key);
  return m;
};

/** The test's client: NDEV requests from its outbox every tick; DS announcements of "drv.net.". */
const client: NativeProgram<ClientState> = {
  init: (_label, params) => ({
    driver: /driver=(\S+)/.exec(params)![1], outbox: [], replies: [], nextId: 1, out: {}, keepRecvs: 0, recvsOut: 0, frames: [], announcements: [], checking: false,
  }),
  start(k) {
    k.setAlarm(1);
    k.sendrec(k.lookup("ds")!, dsRequest(DS_SUBSCRIBE, "drv.net."));
  },
  receive(k, m) {
    const type = msgType(m);
    if (type === NOTIFY_MESSAGE && msgSource(m) === k.lookup("ds")) {
      k.state.checking = true;
      return void k.sendrec(msgSource(m), dsRequest(DS_CHECK));
    }
    if (type === NOTIFY_MESSAGE) {
      // Our tick: the queued requests go out, the receives are topped up.
      for (const r of k.state.outbox.splice(0)) issue(k, r);
      if (k.state.replies.some((r) => r.type === NDEV_INIT && r.status === OK)) topUpRecvs(k);
      k.setAlarm(1);
      return;
    }
    if (type === DS_REPLY) {
      const key = getString(m, MSG.ds.key, MSG.ds.keyLen);
      k.state.checking &&= get32(m, MSG.ds.flags) === OK;
      if (k.state.checking) {
        k.state.announcements.push(key);
        k.sendrec(msgSource(m), dsRequest(DS_CHECK)); // more changes may be waiting
      }
      return;
    }
    if (type >= (NDEV_INIT | NDEV_REPLY_BIT) && type <= (NDEV_GETSTAT | NDEV_REPLY_BIT)) onReply(k, m);
  },
};

const workload: Workload<ClientState> = {
  name: "ndevclient",
  description: "speaks NDEV to a network driver (test)",
  program: client,
  service: { label: "ndevclient", program: { native: "ndevclient" }, role: "user", priority: USER_Q, ipcTo: ["ds"], kernelCalls: [], io: [], irqs: [] },
  servers: [],
  drivers: ["net"],
  params: (_seed, drivers) => `driver=${drivers.net[0]}`,
  progress: (s) => s.replies.length,
  done: () => false,
  judge: () => ({ verdict: "incomplete", summary: "a test client", details: {} }),
};

/** The far end of the wire: keeps every frame it gets; sends what the test gives it. */
class RecordingPeer implements NetPeer {
  port?: PeerPort;
  state = { frames: [] as Uint8Array[] };
  attach(port: PeerPort): void {
    this.port = port;
  }
  receive(frame: Uint8Array): void {
    this.state.frames.push(Uint8Array.from(frame));
  }
  nextTimer(): number {
    return -1;
  }
  onTimer(): void {}
  snapshot(): unknown {
    return { frames: this.state.frames.map((f) => Uint8Array.from(f)) };
  }
  restore(snap: unknown): void {
    this.state.frames = (snap as { frames: Uint8Array[] }).frames.map((f) => Uint8Array.from(f));
  }
  record(): unknown {
    return { frames: this.state.frames.length };
  }
  send(frame: number[]): void {
    this.port!.transmit(Uint8Array.from(frame));
  }
}

/** An Ethernet frame of `len` bytes (no FCS) to `dst` from the peer, type 0x88b5, seeded payload. */
function frame(dst: number[], len: number, seed: number, src = PEER_MAC): number[] {
  const f = [...dst, ...src, 0x88, 0xb5];
  for (let i = f.length; i < len; i++) f.push((i * 31 + seed * 101 + (i >> 8)) & 0xff);
  return f;
}

function bootNet<P extends NetPeer = RecordingPeer>(peer: P = new RecordingPeer() as unknown as P): { sys: System; peer: P; client: ClientState } {
  const c = composeSystem(BUILDS.minix3, workload, { peripherals: { rtl8139: () => PERIPHERALS.rtl8139({ network: { peer: () => peer } }) } });
  if (!c.ok) throw new Error(c.error);
  const sys = c.system;
  sys.run(TICK); // the client starts and subscribes
  return { sys, peer, client: sys.nativeState<ClientState>("ndevclient")! };
}

/** Runs until `done` (at most `ticks` clock ticks); fails the test if it never happens. */
function runUntil(sys: System, done: () => boolean, ticks = 100): void {
  const r = sys.runUntil(done, ticks * TICK, TICK / 4);
  expect(r, sys.kernel.state.console.split("\n").slice(-12).join("\n")).toBe("done");
}

/** Queues `reqs`, runs until as many more replies came, and returns them. */
function request(sys: System, c: ClientState, ...reqs: Req[]): Reply[] {
  const before = c.replies.length;
  c.outbox.push(...reqs);
  runUntil(sys, () => c.replies.length >= before + reqs.length);
  return c.replies.slice(before);
}

const statOf = (r: Reply): Record<string, number> => Object.fromEntries(NDEV_STAT_FIELDS.map((f, i) => [f, r.data![i]]));
/** Physical address of the driver's receive ring (rl_buf.rx: after four 1536-byte transmit buffers). */
function ringAddress(sys: System): number {
  const base = sys.kernel.km.proc(procIndex(sys, "rtl8139"), PROC.memBase) >>> 0;
  return base + symbolAddress(sys, "rtl8139", "rl_buf") - DRIVER_TEXT_BASE + 4 * 1536;
}
const driverLines = (sys: System): string[] => sys.kernel.state.console.split("\n").filter((l) => l.startsWith("rtl8139: "));

describe("rtl8139 driver", () => {
  it("initialises the chip at boot, announces itself, and answers requests before NDEV_INIT with -ENOTREADY", () => {
    const { sys, client: c } = bootNet();
    expect(driverLines(sys)).toEqual([expect.stringMatching(/^rtl8139: RTL8139C\+? at 0xc100, MAC 52:54:00:12:34:56, link up$/)]);
    expect(c.announcements).toEqual(["drv.net.rtl8139"]);
    const early = request(sys, c, { type: NDEV_SEND, frame: frame(PEER_MAC, 60, 1) }, { type: NDEV_RECV, count: 1514 }, { type: NDEV_GETSTAT, count: 40 });
    expect(early.map((r) => r.status)).toEqual([-ENOTREADY, -ENOTREADY, -ENOTREADY]);
    const [init] = request(sys, c, { type: NDEV_INIT });
    expect(init).toMatchObject({ type: NDEV_INIT, status: OK, link: 1, mac: "52:54:00:12:34:56" });
    const [conf] = request(sys, c, { type: NDEV_CONF, mode: NDEV_MODE_UNICAST | NDEV_MODE_BROADCAST });
    expect(conf.status).toBe(OK);
  });

  it("sends frames byte for byte to the far end; refuses sizes outside 60..1514", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    const frames = [60, 61, 64, 500, 1000, 1513, 1514].map((n, i) => frame(PEER_MAC, n, i));
    const replies = request(sys, c, ...frames.map((f) => ({ type: NDEV_SEND, frame: f })));
    expect(replies.map((r) => r.status)).toEqual(frames.map((f) => f.length));
    runUntil(sys, () => peer.state.frames.length === frames.length);
    expect(peer.state.frames.map((f) => Array.from(f))).toEqual(frames);
    const bad = request(sys, c, { type: NDEV_SEND, frame: frame(PEER_MAC, 59, 9) }, { type: NDEV_SEND, count: 1515, frame: frame(PEER_MAC, 1515, 9) });
    expect(bad.map((r) => r.status)).toEqual([-EINVAL, -EINVAL]);
    sys.run(10 * TICK);
    expect(peer.state.frames.length).toBe(frames.length);
  });

  it("more sends than transmit slots wait in the framework and all go out in order", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    const frames = Array.from({ length: 8 }, (_, i) => frame(PEER_MAC, 1514, 20 + i));
    const replies = request(sys, c, ...frames.map((f) => ({ type: NDEV_SEND, frame: f })));
    expect(replies.map((r) => r.status)).toEqual(frames.map(() => 1514));
    runUntil(sys, () => peer.state.frames.length === 8);
    expect(peer.state.frames.map((f) => Array.from(f))).toEqual(frames);
  });

  it("delivers the far end's frames to waiting and later receives; filters other stations' unicast", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    c.outbox.push({ type: NDEV_RECV, count: 1514 });
    sys.run(2 * TICK); // the receive waits at the driver
    const f1 = frame(GUEST_MAC, 100, 1);
    peer.send(f1);
    runUntil(sys, () => c.frames.length === 1);
    expect(c.frames[0]).toEqual(f1);
    expect(c.replies.at(-1)).toMatchObject({ type: NDEV_RECV, status: 100 });
    // A frame that arrives before anyone asks waits in the ring; so does a broadcast. Another station's frame is dropped by the chip.
    peer.send(frame(OTHER_MAC, 200, 2));
    const f3 = frame(GUEST_MAC, 1514, 3), f4 = frame(BROADCAST, 60, 4);
    peer.send(f3);
    peer.send(f4);
    sys.run(5 * TICK);
    request(sys, c, { type: NDEV_RECV, count: 1514 }, { type: NDEV_RECV, count: 1514 });
    expect(c.frames.slice(1)).toEqual([f3, f4]);
    c.outbox.push({ type: NDEV_RECV, count: 1514 });
    sys.run(10 * TICK);
    expect(c.frames.length).toBe(3);
    // The counters.
    request(sys, c, { type: NDEV_SEND, frame: frame(PEER_MAC, 70, 5) });
    runUntil(sys, () => peer.state.frames.length === 1);
    sys.run(2 * TICK);
    const [stat] = request(sys, c, { type: NDEV_GETSTAT, count: 40 });
    expect(stat.status).toBe(OK);
    expect(statOf(stat)).toMatchObject({ rxFrames: 3, rxBytes: 100 + 1514 + 60, txFrames: 1, txBytes: 70, rxOverruns: 0, txErrors: 0, txTimeouts: 0, resets: 2 });
  });

  it("the receive ring wraps: 200 frames of every size arrive complete and in order", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    c.keepRecvs = 8;
    sys.run(2 * TICK);
    const sent: number[][] = [];
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 20; i++) {
        const n = sent.length;
        const f = frame(GUEST_MAC, 60 + ((n * 337) % (1514 - 60 + 1)), n);
        sent.push(f);
        peer.send(f);
      }
      runUntil(sys, () => c.frames.length === sent.length);
    }
    expect(c.frames).toEqual(sent);
    expect(sent.reduce((a, f) => a + f.length + 8, 0)).toBeGreaterThan(2 * 65536);
    c.keepRecvs = 0;
    const [stat] = request(sys, c, { type: NDEV_GETSTAT, count: 40 });
    expect(statOf(stat)).toMatchObject({ rxFrames: 200, rxOverruns: 0, rxSizeErrors: 0 });
  });

  it("killed mid-receive, it is restarted by RS, announces itself again, refuses requests until NDEV_INIT, then works", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    c.keepRecvs = 4;
    sys.run(2 * TICK);
    peer.send(frame(GUEST_MAC, 300, 1));
    runUntil(sys, () => c.frames.length === 1);
    patchRunning(sys, "rtl8139", "rl_recv", [ILLEGAL]);
    c.outbox.push(...[1, 2, 3].map((i) => ({ type: NDEV_SEND, frame: frame(PEER_MAC, 1514, i) })));
    peer.send(frame(GUEST_MAC, 300, 2)); // the driver dies receiving it
    c.keepRecvs = 0; // (the receives already posted stay posted)
    runUntil(sys, () => c.announcements.length === 2, 300);
    const ev = sys.nativeState<RsState>("rs")!.events;
    expect(ev.map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    expect(ev[0].detail).toMatch(/illegal instruction/);
    expect(c.announcements).toEqual(["drv.net.rtl8139", "drv.net.rtl8139"]);
    expect(driverLines(sys).filter((l) => l.includes("MAC 52:54:00:12:34:56")).length).toBe(2);
    // The new incarnation: nothing before NDEV_INIT, then sends and receives again.
    const [early] = request(sys, c, { type: NDEV_SEND, frame: frame(PEER_MAC, 60, 7) });
    expect(early.status).toBe(-ENOTREADY);
    const [init] = request(sys, c, { type: NDEV_INIT });
    expect(init).toMatchObject({ status: OK, link: 1, mac: "52:54:00:12:34:56" });
    const before = peer.state.frames.length;
    const f = frame(PEER_MAC, 800, 8);
    request(sys, c, { type: NDEV_SEND, frame: f });
    runUntil(sys, () => peer.state.frames.length === before + 1);
    expect(Array.from(peer.state.frames.at(-1)!)).toEqual(f);
    const back = frame(GUEST_MAC, 400, 9);
    c.outbox.push({ type: NDEV_RECV, count: 1514 });
    sys.run(2 * TICK);
    const got = c.frames.length;
    peer.send(back);
    runUntil(sys, () => c.frames.length === got + 1);
    expect(c.frames.at(-1)).toEqual(back);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("a corrupt receive header is a panic (fail-stop, as in MINIX), after which RS restarts the driver", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    peer.send(frame(GUEST_MAC, 200, 1));
    sys.run(5 * TICK); // nobody asks: the frame waits at ring offset 0 (NDEV_INIT's RCR write reset the ring)
    const view = new DataView(sys.machine.bus.ram.buffer);
    const at = ringAddress(sys) - sys.machine.bus.ramBase;
    const header = view.getUint32(at, true);
    expect([header >>> 16, header & 1]).toEqual([204, 1]); // length with the FCS, ROK
    view.setUint32(at, 0x0000_0002, true); // ROK clear, length 0
    c.outbox.push({ type: NDEV_RECV, count: 1514 });
    runUntil(sys, () => sys.nativeState<RsState>("rs")!.events.some((e) => e.kind === "up"), 300);
    expect(driverLines(sys)).toContain("rtl8139: panic: bad receive header 0x00000002 at ring offset 0x0");
    expect(sys.nativeState<RsState>("rs")!.events.map((e) => e.kind)).toEqual(["exit", "restart", "up"]);
    expect(c.replies.filter((r) => r.type === NDEV_RECV)).toEqual([]); // the request died with the driver
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("the transmit watchdog: a transmitter that stops completing is reset after one to two seconds, and sending resumes", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    sys.machine.bus.portWrite(0xc100 + 0x37, 0x08, 1); // CR = RE only: the chip ignores TSD writes now
    const lost = frame(PEER_MAC, 100, 1);
    const [sent] = request(sys, c, { type: NDEV_SEND, frame: lost });
    expect(sent.status).toBe(100); // it is in a slot; the slot never completes
    const t0 = sys.machine.clock.now;
    runUntil(sys, () => driverLines(sys).includes("rtl8139: TX timeout, resetting"), 250);
    const seconds = (sys.machine.clock.now - t0) / CPU_HZ;
    expect(seconds).toBeGreaterThan(0.95);
    expect(seconds).toBeLessThan(2.05);
    expect(peer.state.frames).toEqual([]);
    const f = frame(PEER_MAC, 200, 2);
    request(sys, c, { type: NDEV_SEND, frame: f });
    runUntil(sys, () => peer.state.frames.length === 1);
    expect(Array.from(peer.state.frames[0])).toEqual(f);
    const [stat] = request(sys, c, { type: NDEV_GETSTAT, count: 40 });
    expect(statOf(stat)).toMatchObject({ txTimeouts: 1, txFrames: 1, txBytes: 200, resets: 3 });
  });

  it("talks to the remote host (system/net): an ARP request is answered, a UDP datagram to port 7 comes back", () => {
    const { sys, peer: host, client: c } = bootNet(new RemoteHost());
    request(sys, c, { type: NDEV_INIT });
    c.keepRecvs = 2;
    const mac = Uint8Array.from(GUEST_MAC), guest = parseIp(GUEST_IP), remote = parseIp(REMOTE_IP);
    const arp = encodeArp({ op: ARP_REQUEST, senderMac: mac, senderIp: guest, targetMac: new Uint8Array(6), targetIp: remote });
    request(sys, c, { type: NDEV_SEND, frame: Array.from(encodeEth({ dst: BROADCAST_MAC, src: mac, type: ETHERTYPE_ARP, payload: arp })) });
    runUntil(sys, () => c.frames.length === 1);
    const eth = decodeEth(Uint8Array.from(c.frames[0]))!;
    expect(eth.type).toBe(ETHERTYPE_ARP);
    const answer = decodeArp(eth.payload)!;
    expect(answer).toMatchObject({ op: ARP_REPLY, senderIp: remote, targetIp: guest });
    const payload = Uint8Array.from({ length: 900 }, (_, i) => (i * 7) & 0xff);
    const udp = encodeUdp({ srcPort: 4000, dstPort: 7, payload }, guest, remote);
    const ip = encodeIpv4({ src: guest, dst: remote, protocol: IPPROTO_UDP, ttl: 64, id: 1, payload: udp });
    request(sys, c, { type: NDEV_SEND, frame: Array.from(encodeEth({ dst: answer.senderMac, src: mac, type: ETHERTYPE_IPV4, payload: ip })) });
    runUntil(sys, () => c.frames.length === 2);
    const back = decodeEth(Uint8Array.from(c.frames[1]))!;
    const ipBack = decodeIpv4(back.payload)!;
    expect(ipBack).toMatchObject({ src: remote, dst: guest, protocol: IPPROTO_UDP });
    expect(decodeUdp(ipBack.payload, remote, guest)).toEqual({ srcPort: 7, dstPort: 4000, payload });
    expect(host.record()).toMatchObject({ udp: { received: 1, echoed: 1 }, frames: { bad: 0 } });
  });

  it("a full ring drops what does not fit (counted as overruns) and keeps what it holds intact", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    const sent = Array.from({ length: 60 }, (_, i) => frame(GUEST_MAC, 1514, i));
    for (const f of sent) peer.send(f);
    sys.run(20 * TICK); // nobody receives: 64 KiB hold 43 such frames (1522 bytes each in the ring)
    c.keepRecvs = 8;
    runUntil(sys, () => c.frames.length === 43);
    sys.run(10 * TICK);
    expect(c.frames).toEqual(sent.slice(0, 43));
    c.keepRecvs = 0;
    const [stat] = request(sys, c, { type: NDEV_GETSTAT, count: 40 });
    expect(statOf(stat)).toMatchObject({ rxFrames: 43, rxOverruns: 17 });
    const after = frame(GUEST_MAC, 333, 99); // the ring goes on where it was
    c.outbox.push({ type: NDEV_RECV, count: 1514 });
    sys.run(2 * TICK);
    peer.send(after);
    runUntil(sys, () => c.frames.length === 44);
    expect(c.frames[43]).toEqual(after);
  });

  it("is deterministic: the same requests and frames end in the same state hash", () => {
    const run = (): string => {
      const { sys, peer, client: c } = bootNet();
      request(sys, c, { type: NDEV_INIT });
      c.keepRecvs = 4;
      for (let i = 0; i < 10; i++) peer.send(frame(GUEST_MAC, 100 + 97 * i, i));
      c.outbox.push(...[0, 1, 2, 3, 4, 5].map((i) => ({ type: NDEV_SEND, frame: frame(PEER_MAC, 200 + 211 * i, i) })));
      sys.run(30 * TICK);
      expect(c.frames.length).toBe(10);
      expect(peer.state.frames.length).toBe(6);
      return sys.stateHash();
    };
    expect(run()).toBe(run());
  });

  it("keeps at most NDEV_PENDING_MAX receives waiting; one more gets -EBUSY; NDEV_INIT forgets the waiting ones", () => {
    const { sys, peer, client: c } = bootNet();
    request(sys, c, { type: NDEV_INIT });
    c.outbox.push(...Array.from({ length: NDEV_PENDING_MAX + 1 }, () => ({ type: NDEV_RECV, count: 1514 })));
    runUntil(sys, () => c.replies.length === 2);
    expect(c.replies[1]).toMatchObject({ type: NDEV_RECV, status: -EBUSY, id: 2 + NDEV_PENDING_MAX });
    const [init] = request(sys, c, { type: NDEV_INIT }); // the eight waiting receives are dropped, unanswered
    expect(init.status).toBe(OK);
    peer.send(frame(GUEST_MAC, 100, 1));
    sys.run(5 * TICK);
    expect(c.frames).toEqual([]);
    const [recv] = request(sys, c, { type: NDEV_RECV, count: 1514 }); // the frame waited in the ring
    expect(recv.status).toBe(100);
    expect(c.replies.filter((r) => r.type === NDEV_RECV).map((r) => r.status)).toEqual([-EBUSY, 100]);
  });
});
