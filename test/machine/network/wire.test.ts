// The wire between the RTL8139 and a recording test peer: timing both ways, the peer's timer as a
// clock event, FCS handling, seeded loss and corruption (deterministic), and whole-machine
// snapshot/restore with frames in flight on a real Machine built through PERIPHERALS.rtl8139.
import { describe, expect, it } from "vitest";
import { CR_RE, CR_TE, RCR_AB, RCR_APM, RTL_CR, RTL_RBSTART, RTL_RCR, RTL_TSAD0, RTL_TSD0, Rtl8139 } from "../../../system/machine/devices/rtl8139.js";
import { PERIPHERALS } from "../../../system/machine/devices/index.js";
import { Machine } from "../../../system/machine/machine.js";
import { PORT_RTL8139, RAM_BASE } from "../../../system/machine/memmap.js";
import { appendFcs, crc32, etherCrcBe, fcsOk } from "../../../system/machine/network/crc32.js";
import { Wire, WIRE_LATENCY_CYCLES, type WireOptions } from "../../../system/machine/network/wire.js";
import { asm, words } from "../asm.js";
import { Harness } from "../devices/harness.js";
import { TestPeer } from "./test-peer.js";

const B = PORT_RTL8139;
const RX = RAM_BASE + 0x20000;
const TXBUF = (n: number) => RAM_BASE + 0x10000 + n * 0x800;
const NIC_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];

function frame(dst: number[], len: number, seed = 1): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(PEER_MAC, 6);
  f[12] = 0x08;
  for (let i = 14; i < len; i++) f[i] = (i * 13 + seed * 101) & 0xff;
  return f;
}

type Ports = { outb(p: number, v: number): void; outl(p: number, v: number): void };

function init(io: Ports) {
  io.outl(B + RTL_RBSTART, RX);
  for (let n = 0; n < 4; n++) io.outl(B + RTL_TSAD0 + 4 * n, TXBUF(n));
  io.outb(B + RTL_CR, CR_RE | CR_TE);
  io.outl(B + RTL_RCR, RCR_APM | RCR_AB | 0x1800); // 64 KiB ring: room for every test's frames
}

function bench(opts: WireOptions = {}) {
  const h = new Harness();
  const nic = h.attach(new Rtl8139(h.ctx));
  const peer = new TestPeer();
  const wire = h.attach(new Wire(h.ctx, nic, peer, opts));
  init(h);
  return { h, nic, peer, wire };
}

describe("CRC-32", () => {
  it("is the IEEE 802.3 CRC (check value of '123456789'); an appended FCS checks, a flipped bit does not", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const f = appendFcs(frame(PEER_MAC, 60));
    expect(fcsOk(f)).toBe(true);
    f[30] ^= 0x10;
    expect(fcsOk(f)).toBe(false);
    expect(fcsOk(new Uint8Array(3))).toBe(false);
  });

  it("the MSB-first hash CRC is the bit mirror of the LSB-first CRC register", () => {
    const mirror = (v: number) => {
      let r = 0;
      for (let i = 0; i < 32; i++) r = (r << 1) | ((v >>> i) & 1);
      return r >>> 0;
    };
    for (const mac of [[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01], [0x33, 0x33, 0, 0, 0, 1], NIC_MAC]) {
      const b = Uint8Array.from(mac);
      expect(etherCrcBe(b, 0, 6)).toBe(mirror(~crc32(b) >>> 0));
    }
  });
});

describe("wire timing", () => {
  it("a peer frame reaches the NIC after its serialisation and the latency; frames queue behind each other", () => {
    const { h, peer, nic, wire } = bench({ latency: 1000, bandwidth: 10_000_000 }); // 80 cycles a byte
    peer.send(frame(NIC_MAC, 100, 1));
    peer.send(frame(NIC_MAC, 200, 2));
    const first = (8 + 104) * 80 + 1000;
    const second = (8 + 104 + 12) * 80 + (8 + 204) * 80 + 1000;
    h.advanceTo(first - 1);
    expect(nic.state.counters.rxFrames).toBe(0);
    h.advanceTo(first);
    expect(nic.state.counters.rxFrames).toBe(1);
    h.advanceTo(second - 1);
    expect(nic.state.counters.rxFrames).toBe(1);
    h.advanceTo(second);
    expect(nic.state.counters.rxFrames).toBe(2);
    expect(wire.record()).toMatchObject({ toNic: { frames: 2, bytes: 104 + 204, lost: 0, corrupted: 0, badFcs: 0 } });
    expect(h.clock.state.events).toEqual([]); // idle: nothing scheduled
  });

  it("the two directions are independent (full duplex)", () => {
    const { h, peer } = bench();
    h.poke(TXBUF(0), frame(PEER_MAC, 60));
    h.outl(B + RTL_TSD0, 60);
    peer.send(frame(NIC_MAC, 60));
    h.settle();
    expect(peer.state.received.map((r) => r.at)).toEqual([(8 + 64) * 8 + WIRE_LATENCY_CYCLES]);
  });

  it("learns of a timer set outside its calls into the peer through peerChanged()", () => {
    const { h, peer, wire, nic } = bench();
    peer.sendLater(7000, frame(NIC_MAC, 60));
    h.settle();
    expect(peer.state.fired).toEqual([]);
    wire.peerChanged();
    h.settle();
    expect(peer.state.fired).toEqual([7000]);
    expect(nic.state.counters.rxFrames).toBe(1);
  });

  it("keeps one clock event for the peer's timer and calls onTimer at that cycle", () => {
    const { h, peer, nic } = bench();
    peer.sendLater(50_000, frame(NIC_MAC, 60, 1));
    peer.sendLater(20_000, frame(NIC_MAC, 60, 2));
    // The peer asked after attach: the wire learns of it at its next call into the peer; here, an echo.
    peer.state.echo = true;
    h.poke(TXBUF(0), frame(PEER_MAC, 60));
    h.outl(B + RTL_TSD0, 60);
    h.advanceTo(10_000);
    expect(h.clock.state.events.filter((e) => e.target === "wire" && e.kind === "timer").map((e) => e.at)).toEqual([20_000]);
    h.settle();
    expect(peer.state.fired).toEqual([20_000, 50_000]);
    expect(nic.state.counters.rxFrames).toBe(2); // the two timed frames
    expect(nic.state.counters.rxFiltered).toBe(1); // the echo, addressed to the peer itself
  });
});

describe("wire faults", () => {
  /** Sends `n` frames each way; returns which ones the far ends got (by payload seed). */
  function run(opts: WireOptions, n = 40) {
    const { h, peer, nic, wire } = bench(opts);
    const atNic: number[] = [];
    for (let i = 0; i < n; i++) {
      h.poke(TXBUF(i & 3), frame(PEER_MAC, 60 + i, i));
      h.outl(B + RTL_TSD0 + 4 * (i & 3), 60 + i);
      peer.send(frame(NIC_MAC, 60 + i, i));
      h.settle();
    }
    for (let off = 0; ; ) {
      const hdr = h.peek(RX + off, 4);
      const len = hdr[2] | (hdr[3] << 8);
      if (len === 0) break;
      atNic.push(len - 4 - 60);
      off = (off + 4 + len + 3) & ~3;
    }
    const atPeer = peer.state.received.map((r) => r.frame.length - 60);
    return { atNic, atPeer, record: wire.record(), nic: nic.state.counters };
  }

  it("loses frames with the set probability; the same seed loses the same frames, another seed others", () => {
    const a = run({ loss: 0.3, seed: 7 });
    const b = run({ loss: 0.3, seed: 7 });
    const c = run({ loss: 0.3, seed: 8 });
    expect(a.atNic).toEqual(b.atNic);
    expect(a.atPeer).toEqual(b.atPeer);
    expect([a.atNic, a.atPeer]).not.toEqual([c.atNic, c.atPeer]);
    const lost = (a.record as { toPeer: { lost: number }; toNic: { lost: number } });
    expect(lost.toPeer.lost).toBe(40 - a.atPeer.length);
    expect(lost.toNic.lost).toBe(40 - a.atNic.length);
    expect(lost.toPeer.lost + lost.toNic.lost).toBeGreaterThan(10);
    expect(lost.toPeer.lost + lost.toNic.lost).toBeLessThan(40);
  });

  it("a corrupted frame never reaches the peer (bad FCS counted) and is a CRC error at the NIC", () => {
    const r = run({ corrupt: 0.5, seed: 1 });
    const rec = r.record as { toPeer: { corrupted: number; badFcs: number }; toNic: { corrupted: number; badFcs: number } };
    expect(rec.toPeer.corrupted).toBeGreaterThan(0);
    expect(rec.toPeer.badFcs).toBe(rec.toPeer.corrupted);
    expect(r.atPeer.length).toBe(40 - rec.toPeer.corrupted);
    expect(rec.toNic.badFcs).toBe(rec.toNic.corrupted);
    expect(r.nic.rxCrcErrors).toBe(rec.toNic.corrupted);
    expect(r.atNic.length).toBe(40 - rec.toNic.corrupted);
    expect(run({ corrupt: 0.5, seed: 1 })).toEqual(r);
  });

  it("refuses nonsense options (a configuration bug)", () => {
    const h = new Harness();
    const nic = new Rtl8139(h.ctx);
    expect(() => new Wire(h.ctx, nic, new TestPeer(), { loss: 2 })).toThrow();
    expect(() => new Wire(h.ctx, nic, new TestPeer(), { bandwidth: 0 })).toThrow();
  });
});

describe("the NIC and its wire in a machine", () => {
  /** A machine spinning in a loop, with the NIC and a lossy, corrupting wire to a test peer. */
  function machine() {
    const m = new Machine({
      ramSize: 1 << 20,
      peripherals: [PERIPHERALS.rtl8139({ network: { peer: timedPeer, loss: 0.2, corrupt: 0.2, seed: "snap", latency: 3000 } })],
    });
    m.load(RAM_BASE, words([asm.jal(0, 0)]));
    m.cpu.reset(RAM_BASE);
    const io: Ports = { outb: (p, v) => m.bus.portWrite(p, v, 1), outl: (p, v) => m.bus.portWrite(p, v, 4) };
    init(io);
    return { m, io };
  }

  /** A peer that sends twelve frames on its own timer and echoes what it receives. */
  function timedPeer(): TestPeer {
    const peer = new TestPeer();
    for (let i = 0; i < 12; i++) peer.sendLater(1000 + i * 700, frame(NIC_MAC, 60 + 37 * i, i));
    peer.state.echo = true;
    return peer;
  }

  /** Sends four frames from the NIC at cycle `at`. */
  function burst(m: Machine, io: Ports, seed: number) {
    for (let n = 0; n < 4; n++) {
      m.load(TXBUF(n), frame(PEER_MAC, 200 + n * 100, seed + n));
      io.outl(B + RTL_TSD0 + 4 * n, 200 + n * 100);
    }
  }

  it("PERIPHERALS.rtl8139 makes the NIC and its wire; without a network the NIC alone, link down", () => {
    const { m } = machine();
    expect(m.device("rtl8139")).toBeInstanceOf(Rtl8139);
    expect(m.device("wire")).toBeInstanceOf(Wire);
    expect(m.records().wire).toMatchObject({ kind: "wire", toPeer: { frames: 0 }, peer: { received: 0 } });
    const lone = new Machine({ ramSize: 1 << 20, peripherals: [PERIPHERALS.rtl8139({})] });
    expect(lone.device("wire")).toBeUndefined();
    expect(lone.bus.portRead(B + 0x58, 1) & 0x04).toBe(0x04);
  });

  it("restoring a snapshot taken with frames in flight reproduces the same run (state hash, records)", () => {
    const { m, io } = machine();
    burst(m, io, 0);
    m.run(4000); // mid-transfer: NIC frames on the wire, peer frames queued, timers pending
    expect(m.clock.state.events.some((e) => e.target === "wire" && e.kind === "peer")).toBe(true);
    const snap = m.snapshot();
    const h0 = m.stateHash();
    const finish = () => {
      m.run(10_000);
      burst(m, io, 10);
      m.run(60_000);
      return { hash: m.stateHash(), record: structuredClone(m.records().wire), ring: m.readPhys(RX, 0x4000) };
    };
    const a = finish();
    expect((a.record as { toNic: { frames: number } }).toNic.frames).toBeGreaterThan(12);
    m.restore(snap);
    expect(m.stateHash()).toBe(h0);
    const b = finish();
    expect(b).toEqual(a);
  });
});
