// The RTL8139 model driven through its ports on the device bench, joined by the real wire to a
// recording test peer: reset, MAC/EEPROM, transmit timing and completion, the receive ring
// (header, CAPR/CBR/BUFE, wrap-around, overflow), address filters, FCS errors, DMA refusals and
// garbage register writes.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  CR_BUFE,
  CR_RE,
  CR_RST,
  CR_TE,
  ISR_RER,
  ISR_ROK,
  ISR_RXOVW,
  ISR_SERR,
  ISR_TER,
  ISR_TOK,
  RCR_AAP,
  RCR_AB,
  RCR_AER,
  RCR_AM,
  RCR_APM,
  RCR_WRAP,
  RTL_9346CR,
  RTL_BMSR,
  RTL_CAPR,
  RTL_CBR,
  RTL_CR,
  RTL_IMR,
  RTL_ISR,
  RTL_MAR,
  RTL_MPC,
  RTL_MSR,
  RTL_RBSTART,
  RTL_RCR,
  RTL_TCR,
  RTL_TSAD,
  RTL_TSAD0,
  RTL_TSD0,
  RX_BAR,
  RX_CRC,
  RX_MAR,
  RX_PAM,
  RX_ROK,
  Rtl8139,
  TCR_CLRABT,
  TCR_CRC,
  TSD_OWN,
  TSD_TABT,
  TSD_TOK,
} from "../../../system/machine/devices/rtl8139.js";
import { IRQ_RTL8139, PORT_RTL8139, RAM_BASE } from "../../../system/machine/memmap.js";
import { appendFcs, etherCrcBe } from "../../../system/machine/network/crc32.js";
import { Wire, WIRE_LATENCY_CYCLES, type WireOptions } from "../../../system/machine/network/wire.js";
import { TestPeer } from "../network/test-peer.js";
import { Harness } from "./harness.js";

const B = PORT_RTL8139;
const RX = RAM_BASE + 0x20000;
const TXBUF = (n: number) => RAM_BASE + 0x10000 + n * 0x800;
const NIC_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
/** Cycles per byte on the default wire, and its per-frame preamble and gap. */
const CPB = 8;
const PREAMBLE = 8;
const GAP = 12;

/** An Ethernet frame (no FCS) of `len` bytes: dst, src, type 0x0800, a payload pattern from `seed`. */
function frame(dst: number[], len: number, seed = 1, src = PEER_MAC): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  for (let i = 14; i < len; i++) f[i] = (i * 31 + seed * 7) & 0xff;
  return f;
}

function setup(opts: WireOptions = {}) {
  const h = new Harness();
  const nic = h.attach(new Rtl8139(h.ctx));
  const peer = new TestPeer();
  const wire = h.attach(new Wire(h.ctx, nic, peer, opts));
  return { h, nic, peer, wire };
}

/** The MINIX driver's order: reset, RBSTART, TSADs, IMR, RE then TE, RCR (ring size + filters). */
function init(h: Harness, rcr = RCR_APM | RCR_AB) {
  h.outb(B + RTL_CR, CR_RST);
  h.outl(B + RTL_RBSTART, RX);
  for (let n = 0; n < 4; n++) h.outl(B + RTL_TSAD0 + 4 * n, TXBUF(n));
  h.outw(B + RTL_IMR, 0xe07f);
  h.outb(B + RTL_CR, CR_RE);
  h.outb(B + RTL_CR, h.inb(B + RTL_CR) | CR_TE);
  h.outl(B + RTL_RCR, rcr);
}

function send(h: Harness, slot: number, data: Uint8Array) {
  h.poke(TXBUF(slot), data);
  h.outl(B + RTL_TSD0 + 4 * slot, data.length);
}

interface Received {
  status: number;
  bytes: Uint8Array;
  offset: number;
}

/**
 * The driver's receive loop: while not BUFE, read the header at CAPR+16, copy (across the end of
 * the ring, or on past it when `linear`, as Linux does with RCR.WRAP), advance CAPR, ack.
 */
function drain(h: Harness, ringSize: number, linear = false): Received[] {
  const out: Received[] = [];
  while (!(h.inb(B + RTL_CR) & CR_BUFE)) {
    const off = (h.inw(B + RTL_CAPR) + 16) % ringSize;
    const hdr = h.peek(RX + off, 4);
    const status = hdr[0] | (hdr[1] << 8);
    const len = hdr[2] | (hdr[3] << 8);
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = h.peek(RX + (linear ? off + 4 + i : (off + 4 + i) % ringSize), 1)[0];
    out.push({ status, bytes, offset: off });
    h.outw(B + RTL_CAPR, ((off + 4 + len + 3) & ~3) - 16);
    h.outw(B + RTL_ISR, ISR_ROK | ISR_RER);
  }
  return out;
}

describe("RTL8139 reset and identity", () => {
  it("powers on with the datasheet values, and CR.RST clears at once and returns them", () => {
    const { h } = setup();
    expect(h.inb(B + RTL_CR)).toBe(CR_BUFE);
    expect(h.inw(B + RTL_CAPR)).toBe(0xfff0);
    expect(h.inw(B + RTL_CBR)).toBe(0);
    expect(h.inl(B + RTL_TCR)).toBe(0x74000000);
    expect(h.inw(B + RTL_TSAD)).toBe(0x000f); // every descriptor host-owned
    for (let n = 0; n < 4; n++) expect(h.inl(B + RTL_TSD0 + 4 * n)).toBe(TSD_OWN);
    expect(h.inb(B + RTL_MSR) & 0x04).toBe(0); // LINKB clear: link up
    expect(h.inw(B + RTL_BMSR) & 0x04).toBe(0x04);

    init(h);
    h.outw(B + RTL_ISR, 0xffff);
    send(h, 0, frame(PEER_MAC, 60));
    h.settle();
    expect(h.inw(B + RTL_ISR)).toBe(ISR_TOK);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(true);
    h.outb(B + RTL_CR, CR_RST | CR_RE | CR_TE);
    expect(h.inb(B + RTL_CR) & CR_RST).toBe(0); // self-clearing
    expect(h.inw(B + RTL_ISR)).toBe(0);
    expect(h.inw(B + RTL_IMR)).toBe(0);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(false);
    expect(h.inl(B + RTL_RCR)).toBe(0);
    expect(h.inw(B + RTL_TSAD)).toBe(0x000f);
    expect(h.inl(B + RTL_RBSTART)).toBe(RX); // buffer addresses survive a software reset
  });

  it("reads the MAC from IDR; IDR is write-protected unless 9346CR = 0xC0; a reset keeps it", () => {
    const { h, nic } = setup();
    const idr = () => NIC_MAC.map((_, i) => h.inb(B + i));
    expect(idr()).toEqual(NIC_MAC);
    h.outl(B, 0x44332211);
    expect(idr()).toEqual(NIC_MAC);
    h.outb(B + RTL_9346CR, 0xc0);
    h.outl(B, 0x44332211);
    h.outl(B + 4, 0x6655);
    h.outb(B + RTL_9346CR, 0x00);
    expect(idr()).toEqual([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
    expect(Array.from(nic.mac())).toEqual([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
    h.outb(B + RTL_CR, CR_RST);
    expect(idr()[0]).toBe(0x11);
    h.outb(B + RTL_9346CR, 0x40); // auto-load: the EEPROM's MAC again
    expect(idr()).toEqual(NIC_MAC);
    expect(h.inb(B + RTL_9346CR)).toBe(0);
  });

  it("answers a 93C46 READ of the MAC words (7-9) bit by bit", () => {
    const { h } = setup();
    const pins = (v: number) => h.outb(B + RTL_9346CR, 0x80 | v);
    const readWord = (addr: number) => {
      pins(0x08);
      const cmd = (6 << 6) | addr; // start bit, READ (10), address; sent with a leading 0 as Linux does
      for (let i = 9; i >= 0; i--) {
        const d = (cmd >> i) & 1 ? 0x02 : 0;
        pins(0x08 | d);
        pins(0x08 | d | 0x04);
      }
      pins(0x08);
      let v = 0;
      for (let i = 0; i < 16; i++) {
        pins(0x0c);
        v = (v << 1) | (h.inb(B + RTL_9346CR) & 1);
        pins(0x08);
      }
      pins(0);
      return v;
    };
    expect(readWord(0)).toBe(0x8129);
    expect([7, 8, 9].map(readWord)).toEqual([0x5452, 0x1200, 0x5634]);
    h.outb(B + RTL_9346CR, 0);
  });
});

describe("RTL8139 transmit", () => {
  it("sends the frame with a correct FCS; OWN at once, TOK and the IRQ when its last byte has left", () => {
    const { h, peer } = setup();
    init(h);
    const f = frame(PEER_MAC, 60);
    send(h, 0, f);
    expect(h.inl(B + RTL_TSD0) & (TSD_OWN | TSD_TOK)).toBe(TSD_OWN);
    const done = (PREAMBLE + 64) * CPB;
    h.advanceTo(done - 1);
    expect(h.inl(B + RTL_TSD0) & TSD_TOK).toBe(0);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(false);
    h.advanceTo(done);
    expect(h.inl(B + RTL_TSD0) & TSD_TOK).toBe(TSD_TOK);
    expect(h.inw(B + RTL_ISR)).toBe(ISR_TOK);
    expect(h.irqLog.filter((c) => c.line === IRQ_RTL8139)).toEqual([{ line: IRQ_RTL8139, level: true, at: done }]);
    expect(peer.state.received).toEqual([]);
    h.advanceTo(done + WIRE_LATENCY_CYCLES);
    expect(peer.state.received).toEqual([{ at: done + WIRE_LATENCY_CYCLES, frame: f }]);
    h.outw(B + RTL_ISR, ISR_TOK); // write-1-to-clear lowers the line
    expect(h.irqLevel(IRQ_RTL8139)).toBe(false);
  });

  it("uses the four descriptors in order; frames queue on the wire behind each other", () => {
    const { h, peer, nic } = setup();
    init(h);
    const frames = [0, 1, 2, 3, 4].map((i) => frame(PEER_MAC, 100 + i, i));
    for (let i = 0; i < 4; i++) send(h, i, frames[i]);
    expect(h.inw(B + RTL_TSAD) & 0xf).toBe(0xf);
    h.settle();
    expect(h.inw(B + RTL_TSAD) >> 12).toBe(0xf); // TOK3-0
    send(h, 0, frames[4]); // slot 0 again: the chip's pointer wrapped
    h.settle();
    expect(peer.state.received.map((r) => r.frame)).toEqual(frames);
    let free = 0;
    const arrivals = frames.slice(0, 4).map((f) => {
      free += (PREAMBLE + f.length + 4) * CPB;
      const at = free + WIRE_LATENCY_CYCLES;
      free += GAP * CPB;
      return at;
    });
    expect(peer.state.received.slice(0, 4).map((r) => r.at)).toEqual(arrivals);
    expect(nic.state.counters.txFrames).toBe(5);
    expect(nic.state.counters.txBytes).toBe(frames.reduce((n, f) => n + f.length + 4, 0));
  });

  it("sends nothing for a slot that is not the current one, nor while TE is off", () => {
    const { h, peer } = setup();
    init(h);
    send(h, 1, frame(PEER_MAC, 60));
    h.settle();
    expect(h.inl(B + RTL_TSD0 + 4) & (TSD_OWN | TSD_TOK)).toBe(0);
    h.outb(B + RTL_CR, CR_RE); // TE off
    send(h, 0, frame(PEER_MAC, 60));
    h.outb(B + RTL_CR, CR_RE | CR_TE); // enabling TE does not start it either
    h.settle();
    expect(peer.state.received).toEqual([]);
    send(h, 0, frame(PEER_MAC, 60, 9));
    h.settle();
    expect(peer.state.received.length).toBe(1);
  });

  it("with TCR.CRC the frame goes out as given: a guest FCS that is wrong never reaches the peer", () => {
    const { h, peer, wire } = setup();
    init(h);
    h.outl(B + RTL_TCR, h.inl(B + RTL_TCR) | TCR_CRC);
    const good = appendFcs(frame(PEER_MAC, 60));
    send(h, 0, good);
    const bad = appendFcs(frame(PEER_MAC, 60, 2));
    bad[20] ^= 1;
    send(h, 1, bad);
    h.settle();
    expect(peer.state.received.map((r) => r.frame)).toEqual([good.subarray(0, 60)]);
    expect(wire.record()).toMatchObject({ kind: "wire", toPeer: { frames: 2, badFcs: 1 } });
  });

  it("aborts a frame above 1792 bytes and a refused DMA read (TABT, TER); CLRABT retransmits", () => {
    const { h, peer, nic } = setup();
    init(h);
    h.outl(B + RTL_TSD0, 1793);
    expect(h.inl(B + RTL_TSD0) & (TSD_TABT | TSD_OWN)).toBe((TSD_TABT | TSD_OWN) >>> 0);
    expect(h.inw(B + RTL_ISR)).toBe(ISR_TER);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(true);
    h.outw(B + RTL_ISR, ISR_TER);
    h.outl(B + RTL_TSAD0 + 4, 0x1000); // slot 1: not RAM
    const f = frame(PEER_MAC, 80);
    h.poke(TXBUF(1), f);
    h.outl(B + RTL_TSD0 + 4, 80);
    expect(h.inw(B + RTL_TSAD) & 0x20).toBe(0x20); // TABT1
    expect(nic.state.counters.dmaRefused).toBe(1);
    h.outl(B + RTL_TSAD0 + 4, TXBUF(1));
    h.outl(B + RTL_TCR, h.inl(B + RTL_TCR) | TCR_CLRABT);
    h.settle();
    expect(h.inl(B + RTL_TSD0 + 4) & (TSD_TABT | TSD_TOK)).toBe(TSD_TOK);
    expect(peer.state.received.map((r) => r.frame)).toEqual([f]);
    expect(nic.state.counters.txAborts).toBe(2);
  });
});

describe("RTL8139 receive", () => {
  it("writes header + frame + CRC at CBR; ROK, IRQ, BUFE clear; CAPR moves the read offset", () => {
    const { h, peer, nic } = setup();
    init(h, RCR_APM | RCR_AB | 0x1800); // 64 KiB ring
    const f = frame(NIC_MAC, 60);
    peer.send(f);
    const arrival = (PREAMBLE + 64) * CPB + WIRE_LATENCY_CYCLES;
    h.advanceTo(arrival - 1);
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(CR_BUFE);
    h.advanceTo(arrival);
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(0);
    expect(h.inw(B + RTL_ISR)).toBe(ISR_ROK);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(true);
    expect(h.inw(B + RTL_CBR)).toBe(68);
    expect(Array.from(h.peek(RX, 4))).toEqual([(RX_ROK | RX_PAM) & 0xff, (RX_ROK | RX_PAM) >> 8, 64, 0]);
    expect(h.peek(RX + 4, 64)).toEqual(appendFcs(f));
    const got = drain(h, 65536);
    expect(got.map((r) => r.bytes)).toEqual([appendFcs(f)]);
    expect(h.inw(B + RTL_CAPR)).toBe(68 - 16);
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(CR_BUFE);
    expect(h.irqLevel(IRQ_RTL8139)).toBe(false);
    expect(nic.state.counters).toMatchObject({ rxFrames: 1, rxBytes: 64 });
  });

  for (const wrap of [false, true]) {
    it(`wraps around the end of an 8 KiB ring ${wrap ? "linearly past it (RCR.WRAP)" : "to offset 0"}`, () => {
      const { h, peer } = setup();
      init(h, RCR_APM | (wrap ? RCR_WRAP : 0));
      const frames = Array.from({ length: 10 }, (_, i) => frame(NIC_MAC, 1000, i));
      const got: Received[] = [];
      for (const f of frames) {
        peer.send(f);
        h.settle();
        got.push(...drain(h, 8192, wrap));
      }
      expect(got.map((r) => r.bytes)).toEqual(frames.map(appendFcs));
      expect(got.map((r) => r.offset)).toEqual([0, 1008, 2016, 3024, 4032, 5040, 6048, 7056, 8064, 880]);
      // The 9th record starts 128 bytes before the end.
      const ninth = appendFcs(frames[8]);
      if (wrap) expect(h.peek(RX + 8064 + 4, 1004)).toEqual(ninth);
      else {
        expect(h.peek(RX + 8064 + 4, 124)).toEqual(ninth.subarray(0, 124));
        expect(h.peek(RX, 880)).toEqual(ninth.subarray(124));
      }
    });
  }

  it("accepts by RCR: broadcast needs AB, multicast AM and its MAR bit, unicast APM and IDR; AAP all", () => {
    const { h, peer, nic } = setup();
    const mcast = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
    const other = [0x02, 0x99, 0x99, 0x99, 0x99, 0x99];
    const round = (rcr: number) => {
      h.outl(B + RTL_RCR, rcr);
      for (const [i, dst] of [BCAST, mcast, other, NIC_MAC].entries()) peer.send(frame(dst, 60, i));
      h.settle();
      return drain(h, 8192).map((r) => [r.bytes[0], r.status]);
    };
    init(h);
    expect(round(RCR_APM)).toEqual([[0x52, RX_ROK | RX_PAM]]);
    expect(round(RCR_AB)).toEqual([[0xff, RX_ROK | RX_BAR]]);
    expect(round(RCR_AM)).toEqual([]); // MAR all zero
    const bit = etherCrcBe(Uint8Array.from(mcast), 0, 6) >>> 26;
    h.outb(B + RTL_MAR + (bit >> 3), 1 << (bit & 7));
    expect(round(RCR_AM)).toEqual([[0x01, RX_ROK | RX_MAR]]);
    h.outb(B + RTL_MAR + (bit >> 3), 0xff ^ (1 << (bit & 7))); // every other bit of that byte
    expect(round(RCR_AM)).toEqual([]);
    expect(round(RCR_AAP)).toEqual([
      [0xff, RX_ROK | RX_BAR],
      [0x01, RX_ROK | RX_MAR],
      [0x02, RX_ROK],
      [0x52, RX_ROK],
    ]);
    expect(nic.state.counters.rxFiltered).toBe(3 + 3 + 4 + 3 + 4);
  });

  it("a full ring: RXOVW, MPC counts, the frame is dropped and CBR stays; MPC clears on write", () => {
    const { h, peer, nic } = setup();
    init(h, RCR_APM);
    for (let i = 0; i < 9; i++) peer.send(frame(NIC_MAC, 1000, i));
    h.settle();
    expect(h.inw(B + RTL_ISR) & ISR_RXOVW).toBe(ISR_RXOVW);
    expect(h.inl(B + RTL_MPC)).toBe(1);
    expect(h.inw(B + RTL_CBR)).toBe(8064);
    expect(nic.state.counters.rxOverruns).toBe(1);
    expect(drain(h, 8192).length).toBe(8);
    h.outl(B + RTL_MPC, 0);
    expect(h.inl(B + RTL_MPC)).toBe(0);
    // An RCR write (MINIX's recovery after RXOVW) resets the ring pointers.
    h.outl(B + RTL_RCR, RCR_APM);
    expect(h.inw(B + RTL_CBR)).toBe(0);
    expect(h.inw(B + RTL_CAPR)).toBe(0xfff0);
  });

  it("counts a frame corrupted on the wire as a CRC error; RCR.AER delivers it with status CRC and RER", () => {
    const { h, peer, nic } = setup({ corrupt: 1, seed: 3 });
    init(h, RCR_APM | RCR_AB);
    peer.send(frame(NIC_MAC, 60));
    h.settle();
    expect(nic.state.counters.rxCrcErrors).toBe(1);
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(CR_BUFE);
    expect(h.inw(B + RTL_ISR)).toBe(0);
    h.outl(B + RTL_RCR, RCR_APM | RCR_AB | RCR_AAP | RCR_AER); // AAP too: the flipped byte may be the address
    peer.send(frame(NIC_MAC, 60));
    h.settle();
    expect(h.inw(B + RTL_ISR)).toBe(ISR_RER);
    const [r] = drain(h, 8192);
    expect(r.status & (RX_CRC | RX_ROK)).toBe(RX_CRC);
    expect(nic.state.counters.rxCrcErrors).toBe(2);
  });

  it("a refused DMA write (IOMMU) drops the frame and raises SERR", () => {
    const { h, peer, nic } = setup();
    init(h);
    h.dma.iommu = { enabled: true, windows: { rtl8139: [[TXBUF(0), 0x4000]] } };
    peer.send(frame(NIC_MAC, 60));
    h.settle();
    expect(h.inw(B + RTL_ISR)).toBe(ISR_SERR);
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(CR_BUFE);
    expect(nic.state.counters.dmaRefused).toBe(1);
    expect(h.dma.faults.records[0]).toMatchObject({ device: "rtl8139", address: RX, write: true });
  });

  it("drops frames while the receiver is off", () => {
    const { h, peer, nic } = setup();
    init(h);
    h.outb(B + RTL_CR, CR_TE);
    peer.send(frame(NIC_MAC, 60));
    h.settle();
    expect(h.inb(B + RTL_CR) & CR_BUFE).toBe(CR_BUFE);
    expect(nic.state.counters.rxDisabled).toBe(1);
  });
});

describe("RTL8139 robustness", () => {
  it("garbage writes to every register at every size never throw; a reset makes it work again", () => {
    const { h, peer, nic } = setup();
    const rng = seedrandom("rtl8139-garbage");
    const u32 = () => (rng() * 2 ** 32) >>> 0;
    const garbage = () => {
      for (let round = 0; round < 20; round++) {
        for (let off = 0; off < 256; off++) {
          for (const size of [1, 2, 4] as const) {
            // TSADs sometimes point into RAM, so garbage sizes really send
            const v = off >= RTL_TSAD0 && off < RTL_RBSTART && rng() < 0.5 ? RAM_BASE + (u32() & 0xffffc) : u32();
            h.bus.portWrite(B + off, v, size);
            h.bus.portRead(B + off, size);
          }
          if (rng() < 0.05) peer.send(frame(rng() < 0.5 ? NIC_MAC : BCAST, 14 + Math.floor(rng() * 1600)));
        }
        // Then a garbage configuration that runs: both directions on, random ring and filters.
        h.outb(B + RTL_CR, CR_RE | CR_TE);
        h.outl(B + RTL_RCR, u32() | RCR_AAP);
        if (rng() < 0.5) h.outl(B + RTL_RBSTART, RAM_BASE + (u32() & 0xffffc));
        for (let n = 0; n < 4; n++) {
          if (rng() < 0.7) h.outl(B + RTL_TSAD0 + 4 * n, RAM_BASE + (u32() & 0xffffc));
          h.outl(B + RTL_TSD0 + 4 * n, u32() & 0x7ff);
          peer.send(frame(NIC_MAC, 14 + Math.floor(rng() * 1600)));
        }
        h.advanceBy(20_000);
      }
    };
    expect(garbage).not.toThrow();
    const c = nic.state.counters;
    expect(c.txFrames && c.rxFrames && c.dmaRefused && c.rxCrcErrors + c.rxFiltered).toBeGreaterThan(0);
    h.settle(); // what the garbage sent is still on the wire
    h.outb(B + RTL_9346CR, 0);
    h.outl(B + RTL_RBSTART, RX);
    init(h);
    peer.state.received = [];
    const f = frame(PEER_MAC, 64);
    send(h, 0, f);
    h.settle();
    expect(peer.state.received.map((r) => r.frame)).toEqual([f]);
  });
});
