/*
 * A recording far end for NIC and wire tests: implements NetPeer, keeps every frame it received
 * (with the cycle), sends what a test asks it to, and can ask for timer callbacks. A test double
 * of the remote host only; the NIC and the wire under test are the real ones.
 */
import type { NetPeer, PeerPort } from "../../../system/machine/network/peer.js";

export interface TestPeerState {
  received: Array<{ at: number; frame: Uint8Array }>;
  /** Timer requests still to come, ascending; each fires onTimer once. */
  timers: number[];
  fired: number[];
  /** Frames to send at each timer, by timer cycle. */
  sendAt: Record<number, Uint8Array[]>;
  /** Frames sent back for every frame received (echo), when set. */
  echo: boolean;
}

export class TestPeer implements NetPeer {
  port: PeerPort | null = null;
  state: TestPeerState = { received: [], timers: [], fired: [], sendAt: {}, echo: false };

  attach(port: PeerPort): void {
    this.port = port;
  }
  /** Sends a frame (without FCS) towards the NIC now. */
  send(frame: Uint8Array): void {
    this.port!.transmit(frame);
  }
  /** Sends `frame` when the clock reaches `at` (through the wire's timer). */
  sendLater(at: number, frame: Uint8Array): void {
    (this.state.sendAt[at] ??= []).push(frame);
    if (!this.state.timers.includes(at)) this.state.timers = [...this.state.timers, at].sort((a, b) => a - b);
  }
  receive(frame: Uint8Array, now: number): void {
    this.state.received.push({ at: now, frame });
    if (this.state.echo) this.port!.transmit(frame);
  }
  nextTimer(): number {
    return this.state.timers.length ? this.state.timers[0] : -1;
  }
  onTimer(now: number): void {
    const due = this.state.timers.filter((t) => t <= now);
    this.state.timers = this.state.timers.filter((t) => t > now);
    for (const t of due) {
      this.state.fired.push(now);
      for (const f of this.state.sendAt[t] ?? []) this.port!.transmit(f);
      delete this.state.sendAt[t];
    }
  }
  snapshot(): TestPeerState {
    return structuredClone(this.state);
  }
  restore(snap: unknown): void {
    this.state = structuredClone(snap as TestPeerState);
  }
  record(): unknown {
    return { received: this.state.received.length };
  }
}
