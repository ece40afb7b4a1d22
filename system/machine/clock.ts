/*
 * The one emulated clock (in CPU cycles) and its event queue.
 *
 * Every timed thing in the machine (a disk completing a seek, a timer deadline, later a
 * heartbeat) is an event on this queue. Events are plain data — {at, seq, target, kind, arg} —
 * dispatched by the machine to the device named in `target`, so the queue can be snapshotted
 * with JSON and restored exactly. Ties are broken by insertion sequence, so order is
 * deterministic.
 */

export interface ClockEvent {
  /** Cycle at which the event fires. */
  at: number;
  /** Insertion sequence number: breaks ties deterministically. */
  seq: number;
  /** Name of the component that handles it (a device name, or "host"). */
  target: string;
  /** Component-specific event kind. */
  kind: string;
  /** Component-specific argument. */
  arg: number;
}

export interface ClockState {
  /** Current time in cycles (integer, < 2^53). */
  now: number;
  nextSeq: number;
  /** Pending events, sorted by (at, seq). */
  events: ClockEvent[];
}

export class Clock {
  state: ClockState = { now: 0, nextSeq: 0, events: [] };

  get now(): number {
    return this.state.now;
  }

  /** Schedules an event `delay` cycles from now (delay >= 0); returns its sequence number. */
  schedule(delay: number, target: string, kind: string, arg = 0): number {
    return this.scheduleAt(this.state.now + Math.max(0, Math.floor(delay)), target, kind, arg);
  }

  /** Schedules an event at absolute cycle `at`; returns its sequence number. */
  scheduleAt(at: number, target: string, kind: string, arg = 0): number {
    const s = this.state;
    const ev: ClockEvent = { at, seq: s.nextSeq++, target, kind, arg };
    const events = s.events;
    let i = events.length;
    while (i > 0 && (events[i - 1].at > at || (events[i - 1].at === at && events[i - 1].seq > ev.seq))) i--;
    events.splice(i, 0, ev);
    return ev.seq;
  }

  /** Removes every pending event of `target` with `kind` (any kind when omitted). */
  cancel(target: string, kind?: string): void {
    // In place (order kept), not filter(): devices cancel at every transmit and command, mostly nothing.
    const events = this.state.events;
    let kept = 0;
    for (const e of events) if (!(e.target === target && (kind === undefined || e.kind === kind))) events[kept++] = e;
    events.length = kept;
  }

  /** Time of the earliest pending event, or Infinity. */
  nextEventAt(): number {
    const events = this.state.events;
    return events.length ? events[0].at : Infinity;
  }

  /** Removes and returns the earliest event if it is due (at <= now), else undefined. */
  popDue(): ClockEvent | undefined {
    const events = this.state.events;
    if (events.length && events[0].at <= this.state.now) return events.shift();
    return undefined;
  }

  snapshot(): ClockState {
    return { now: this.state.now, nextSeq: this.state.nextSeq, events: this.state.events.map((e) => ({ ...e })) };
  }

  restore(s: ClockState): void {
    this.state.now = s.now;
    this.state.nextSeq = s.nextSeq;
    this.state.events = s.events.map((e) => ({ ...e }));
  }
}
