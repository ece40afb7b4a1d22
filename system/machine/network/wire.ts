/*
 * The wire: a full-duplex Ethernet link between the NIC and a NetPeer (the remote host), as a
 * machine device with no ports ("wire"). Each direction is a FIFO line: a frame occupies it for
 * its serialisation time at the link's bandwidth (frames queue behind each other), and arrives a
 * propagation latency after its last byte left. Frames on the wire carry their FCS: the NIC's
 * come with it; the wire appends it to the peer's, and checks and strips it before the peer sees
 * a frame (bad ones are only counted).
 *
 * Faults: with probabilities `loss` and `corrupt`, a frame entering the wire (either way) is lost
 * (it still occupies the line) or has one byte flipped (XOR 0xFF) at a random position. The
 * random draws come from a seeded generator (seedrandom's alea) whose state is part of the
 * wire's state, so a restored snapshot draws the same future; with both probabilities 0 nothing
 * is drawn.
 *
 * Timing is all on the emulated clock: one event ("nic"/"peer") per frame in flight, and one
 * ("timer") for the peer's next timer, resynchronised after every call into the peer. Nothing runs
 * while the link is idle. The wire's state (frames in flight, generator, counters) and the peer's
 * are snapshotted, restored and hashed together.
 */
import seedrandom from "seedrandom";
import type { Device, DeviceContext, DeviceRecord, Region } from "../device.js";
import type { NicLink, Rtl8139 } from "../devices/rtl8139.js";
import { CPU_HZ } from "../memmap.js";
import { FCS_BYTES, fcsOk, putFcs } from "./crc32.js";
import { frameArray } from "./frame-arrays.js";
import type { NetPeer, PeerPort } from "./peer.js";

/** Default propagation latency: 50 µs. */
export const WIRE_LATENCY_CYCLES = 5_000;
/** Default bandwidth: 100 Mb/s (8 cycles per byte at CPU_HZ). */
export const WIRE_BANDWIDTH_BPS = 100_000_000;
/** Preamble + start-of-frame delimiter (sent before the frame) and the inter-frame gap after it, bytes. */
export const WIRE_PREAMBLE_BYTES = 8;
export const WIRE_GAP_BYTES = 12;

const NAME = "wire";
const EV_TO_NIC = "nic";
const EV_TO_PEER = "peer";
const EV_TIMER = "timer";

export interface WireOptions {
  /** Propagation latency in cycles (default WIRE_LATENCY_CYCLES). */
  latency?: number;
  /** Bandwidth in bits per second (default WIRE_BANDWIDTH_BPS). */
  bandwidth?: number;
  /** Probability that a frame is lost, per frame and direction (default 0). */
  loss?: number;
  /** Probability that a frame has one byte corrupted (default 0). */
  corrupt?: number;
  /** Seed of the loss/corruption generator (default "wire"). */
  seed?: string | number;
}

/** What one direction of the wire counted. */
export interface WireCounters {
  /** Frames and bytes (FCS included) that entered the wire. */
  frames: number;
  bytes: number;
  lost: number;
  corrupted: number;
  /** Frames with a bad FCS (for the peer: checked on arrival and dropped; for the NIC: the ones the wire corrupted, counted on entry, the NIC judges them). */
  badFcs: number;
}

interface InFlight {
  /** Arrival cycle. */
  at: number;
  /** The frame with its FCS (as possibly corrupted). */
  frame: Uint8Array;
}

interface Direction {
  /** Cycle at which the line is free for the next frame. */
  freeAt: number;
  /** Frames on their way, oldest (earliest arrival) first. */
  frames: InFlight[];
  counters: WireCounters;
}

export interface WireState {
  toPeer: Direction;
  toNic: Direction;
  /** The generator's state (alea), or null before the first draw. */
  rng: seedrandom.State.Alea | null;
  /** Cycle of the scheduled peer timer event, or -1. */
  timerAt: number;
}

function zeroCounters(): WireCounters {
  return { frames: 0, bytes: 0, lost: 0, corrupted: 0, badFcs: 0 };
}

function idleDirection(): Direction {
  return { freeAt: 0, frames: [], counters: zeroCounters() };
}

function copyDirection(d: Direction): Direction {
  return { freeAt: d.freeAt, frames: d.frames.map((f) => ({ at: f.at, frame: f.frame.slice() })), counters: { ...d.counters } };
}

export class Wire implements Device, NicLink {
  readonly name = NAME;
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [];
  private s: WireState = { toPeer: idleDirection(), toNic: idleDirection(), rng: null, timerAt: -1 };
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea> | null = null;
  /**
   * Frames in flight whose FCS is known to be right (computed by the NIC or the wire and not
   * corrupted since), so their check on arrival need not run the CRC again. Host-side only, not
   * state: frames restored from a snapshot are copies, absent here, and get the full check.
   */
  private fcsRight = new WeakSet<Uint8Array>();
  private readonly latency: number;
  private readonly cyclesPerByte: number;
  private readonly loss: number;
  private readonly corrupt: number;
  private readonly seed: string;

  /** Joins `nic` and `peer`; throws (a configuration bug) on negative or non-finite options. */
  constructor(
    private readonly ctx: DeviceContext,
    private readonly nic: Rtl8139,
    readonly peer: NetPeer,
    opts: WireOptions = {},
  ) {
    this.latency = opts.latency ?? WIRE_LATENCY_CYCLES;
    const bandwidth = opts.bandwidth ?? WIRE_BANDWIDTH_BPS;
    this.loss = opts.loss ?? 0;
    this.corrupt = opts.corrupt ?? 0;
    this.seed = String(opts.seed ?? "wire");
    const bad = [this.latency, this.loss, this.corrupt].some((v) => !(v >= 0 && Number.isFinite(v))) || !(bandwidth > 0 && Number.isFinite(bandwidth));
    if (bad || this.loss > 1 || this.corrupt > 1) throw new Error(`wire: bad options ${JSON.stringify(opts)}`);
    this.cyclesPerByte = (8 * CPU_HZ) / bandwidth;
    nic.connect(this);
    const port: PeerPort = { transmit: (frame) => this.fromPeer(frame) };
    peer.attach(port);
    this.syncTimer();
  }

  /** Live state: the wire's and the peer's (plain data). */
  get state(): { wire: WireState; peer: unknown } {
    return { wire: this.s, peer: this.peer.state };
  }

  /** The NIC puts a frame (with FCS) on the wire and leaves it to the wire; returns the cycle its last byte has left. */
  send(frame: Uint8Array, fcsComputed: boolean): number {
    return this.enter(this.s.toPeer, frame, EV_TO_PEER, fcsComputed);
  }

  /** The peer sends a frame (without FCS). */
  private fromPeer(frame: Uint8Array): void {
    const framed = frameArray(frame.length + FCS_BYTES); // appendFcs(frame), in a slab's array
    framed.set(frame);
    putFcs(framed, frame.length);
    this.enter(this.s.toNic, framed, EV_TO_NIC, true);
    this.syncTimer();
  }

  /**
   * Puts `frame` on line `d` behind what is queued and keeps it (the caller hands it over: the
   * NIC's or fromPeer's new array); returns the cycle its last byte has left. `fcsComputed`: its
   * FCS was computed by the NIC or the wire, so it is right unless the wire corrupts the frame.
   */
  private enter(d: Direction, frame: Uint8Array, event: string, fcsComputed: boolean): number {
    const now = this.ctx.clock.now;
    const start = Math.max(now, d.freeAt);
    const end = start + Math.ceil((WIRE_PREAMBLE_BYTES + frame.length) * this.cyclesPerByte);
    d.freeAt = end + Math.ceil(WIRE_GAP_BYTES * this.cyclesPerByte);
    d.counters.frames++;
    d.counters.bytes += frame.length;
    if (this.loss > 0 && this.draw() < this.loss) {
      d.counters.lost++;
      return end;
    }
    let corrupted = false;
    if (this.corrupt > 0 && frame.length > 0 && this.draw() < this.corrupt) {
      frame[Math.floor(this.draw() * frame.length)] ^= 0xff;
      corrupted = true;
      d.counters.corrupted++;
      // Towards the NIC the FCS is the wire's own (fromPeer): only a corruption breaks it (CRC-32
      // detects every one-byte error), so it is counted here and the NIC alone computes the CRC.
      if (d === this.s.toNic) d.counters.badFcs++;
    }
    if (fcsComputed && !corrupted) this.fcsRight.add(frame);
    const at = end + this.latency;
    d.frames.push({ at, frame });
    this.ctx.clock.scheduleAt(at, NAME, event);
    return end;
  }

  /** A number in [0, 1) from the seeded generator; its state goes back into the wire's state. */
  private draw(): number {
    this.prng ??= seedrandom.alea(this.seed, { state: this.s.rng ?? true });
    const r = this.prng();
    this.s.rng = this.prng.state();
    return r;
  }

  onEvent(kind: string): void {
    const now = this.ctx.clock.now;
    if (kind === EV_TIMER) {
      this.s.timerAt = -1;
      this.peer.onTimer(now);
      return this.syncTimer(now + 1);
    }
    const d = kind === EV_TO_NIC ? this.s.toNic : kind === EV_TO_PEER ? this.s.toPeer : undefined;
    while (d && d.frames.length && d.frames[0].at <= now) {
      const { frame } = d.frames.shift()!;
      const known = this.fcsRight.has(frame);
      if (d === this.s.toNic) {
        this.nic.receive(frame, known);
        continue;
      }
      const good = known || fcsOk(frame); // the NIC's FCS, or whatever the guest sent with TCR.CRC set
      if (!good) d.counters.badFcs++;
      else {
        // A view: the frame has left the wire's state, and the peer does not keep what it is given.
        this.peer.receive(frame.subarray(0, frame.length - FCS_BYTES), now);
        this.syncTimer();
      }
    }
  }

  /**
   * Tells the wire the peer's timer may have changed outside a call from the wire (the host
   * configured it between runs, say); the wire re-reads nextTimer().
   */
  peerChanged(): void {
    this.syncTimer();
  }

  /** Keeps one clock event at the peer's next timer (not before `earliest`). */
  private syncTimer(earliest = this.ctx.clock.now): void {
    const want = this.peer.nextTimer();
    const t = want >= 0 ? Math.max(Math.floor(want), earliest) : -1;
    if (t === this.s.timerAt) return;
    this.ctx.clock.cancel(NAME, EV_TIMER);
    this.s.timerAt = t;
    if (t >= 0) this.ctx.clock.scheduleAt(t, NAME, EV_TIMER);
  }

  /** Power-on: nothing in flight, lines free, counters and generator kept; the peer is not reset. */
  reset(): void {
    this.ctx.clock.cancel(NAME);
    for (const d of [this.s.toPeer, this.s.toNic]) Object.assign(d, { freeAt: 0, frames: [] });
    this.s.timerAt = -1;
    this.syncTimer();
  }

  snapshot(): { wire: WireState; peer: unknown } {
    const s = this.s;
    return {
      wire: { toPeer: copyDirection(s.toPeer), toNic: copyDirection(s.toNic), rng: s.rng && { ...s.rng }, timerAt: s.timerAt },
      peer: this.peer.snapshot(),
    };
  }

  restore(snap: unknown): void {
    const { wire, peer } = snap as { wire: WireState; peer: unknown };
    this.s = { toPeer: copyDirection(wire.toPeer), toNic: copyDirection(wire.toNic), rng: wire.rng && { ...wire.rng }, timerAt: wire.timerAt };
    this.prng = null; // rebuilt from the restored generator state at the next draw
    this.peer.restore(peer);
  }

  /** Counters both ways and what the peer witnessed. */
  record(): DeviceRecord {
    return { kind: "wire", toPeer: { ...this.s.toPeer.counters }, toNic: { ...this.s.toNic.counters }, peer: this.peer.record() };
  }
}
