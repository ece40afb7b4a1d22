// The es1371 driver on the real system: the C driver (system/drivers/es1371, libsys's chardriver)
// runs on the emulated CPU under the minix3 builds, drives the ES1371 card model, and serves
// /dev/audio through VFS to a scripted native user program (below). What was played is read from
// the card's record (segments of samples with the rate, format and codec registers in force); the
// kernel, RS, DS and VFS are the real ones.
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import {
  CLOCK, DSPIORATE, DSPIOSIZE, EBUSY, EINVAL, EIO, MIXIOGETVOLUME, MIXIOSETVOLUME, NOTIFY_MESSAGE, OK, VFS, VFS_MSG,
} from "../../system/kernel/abi.js";
import { get32, msgSource, msgType, newMessage } from "../../system/kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../../system/kernel/native.js";
import { HZ, USER_Q } from "../../system/kernel/params.js";
import type { AudioSegment } from "../../system/machine/device.js";
import { CPU_HZ } from "../../system/machine/memmap.js";
import type { RsState } from "../../system/servers/rs/types.js";
import { mkfs } from "../../system/servers/vfs/mkfs.js";
import type { System } from "../../system/system.js";
import { dataRequest, pathRequest, vfsEndpoint } from "../../system/workloads/vfs-client.js";
import type { Workload } from "../../system/workloads/workload.js";
import { boot, procIndex } from "../support/system.js";

const TICK = CPU_HZ / HZ;
const FRAG = 4096; // the driver's default fragment size
const DEFAULT_MASTER = 0x0101; // MINIX's AC'97 init value: level 30 per side

/** One request of the script; a write sends bytes [from, from + n) of the test stream. `fd`: an index into the opens (default: the last). */
type Op =
  | { kind: "open" }
  | { kind: "ioctl"; request: number; arg: number; fd?: number }
  | { kind: "write"; from: number; n: number; fd?: number }
  | { kind: "close"; fd?: number };
interface ClientState {
  outbox: Op[];
  /** The op in flight (its reply pending). */
  current: Op | null;
  /** File descriptors opened, in order. */
  fds: number[];
  replies: Array<{ op: Op["kind"]; status: number; value: number }>;
  grants: number[];
}

/** The test stream: 16-bit samples that are never 0, so the card's silence is told apart. */
function stream(from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let b = from; b < to; b++) {
    const v = 1 + (((b >> 1) * 389 + 7) % 32000);
    out[b - from] = b & 1 ? v >> 8 : v & 0xff;
  }
  return out;
}
const samplesOf = (bytes: Uint8Array): number[] => Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1));

const DATA = NATIVE_HEAP + 0x1000;

function issue(k: NativeApi<ClientState>, op: Op): void {
  const s = k.state;
  const fd = s.fds[op.kind === "open" ? 0 : op.fd ?? s.fds.length - 1] ?? -1;
  s.current = op;
  switch (op.kind) {
    case "open":
      return pathRequest(k, s.grants, NATIVE_HEAP, VFS.OPEN, "/dev/audio");
    case "ioctl":
      return void k.sendrec(vfsEndpoint(k), newMessage(VFS.IOCTL, { [VFS_MSG.request.fd]: fd, [VFS_MSG.request.ioctl]: op.request, [VFS_MSG.request.arg]: op.arg }));
    case "write":
      k.write(DATA, stream(op.from, op.from + op.n));
      return dataRequest(k, s.grants, VFS.WRITE, fd, DATA, op.n);
    case "close":
      return void k.sendrec(vfsEndpoint(k), newMessage(VFS.CLOSE, { [VFS_MSG.request.fd]: fd }));
  }
}

/** The scripted user: each reply sends the next op at once (so writes keep the card fed); a tick picks up ops queued later. */
const client: NativeProgram<ClientState> = {
  init: () => ({ outbox: [], current: null, fds: [], replies: [], grants: [] }),
  start(k) {
    k.setAlarm(1);
  },
  receive(k, m) {
    const s = k.state;
    if (msgType(m) === NOTIFY_MESSAGE && msgSource(m) === CLOCK) {
      if (!s.current && s.outbox.length) issue(k, s.outbox.shift()!);
      return void k.setAlarm(1);
    }
    if (msgType(m) !== VFS.REPLY || !s.current) return;
    for (const g of s.grants.splice(0)) k.revoke(g);
    const status = get32(m, VFS_MSG.reply.status);
    if (s.current.kind === "open" && status >= 0) s.fds.push(status);
    s.replies.push({ op: s.current.kind, status, value: get32(m, VFS_MSG.reply.size) });
    s.current = null;
    if (s.outbox.length) issue(k, s.outbox.shift()!);
  },
};

const workload: Workload<ClientState> = {
  name: "audioclient",
  description: "scripted user of /dev/audio (test)",
  program: client,
  service: { label: "audioclient", program: { native: "audioclient" }, role: "user", priority: USER_Q, ipcTo: ["vfs", "ds"], kernelCalls: [], io: [], irqs: [] },
  servers: ["vfs"],
  drivers: ["audio"],
  params: () => "",
  prepareDisk: (image) => void mkfs(image),
  progress: (s) => s.replies.length,
  done: () => false,
  judge: () => ({ verdict: "incomplete", summary: "a test client", details: {} }),
};

function bootAudio(build = "minix3"): { sys: System; c: ClientState } {
  const { sys } = boot(BUILDS[build], workload);
  sys.run(TICK);
  return { sys, c: sys.nativeState<ClientState>("audioclient")! };
}

function runUntil(sys: System, done: () => boolean, ticks = 200): void {
  const r = sys.runUntil(done, ticks * TICK, TICK / 4);
  expect(r, sys.kernel.state.console.split("\n").slice(-12).join("\n")).toBe("done");
}

/** Queues `ops`, runs until each has its reply, and returns the replies. */
function script(sys: System, c: ClientState, ...ops: Op[]): ClientState["replies"] {
  const before = c.replies.length;
  c.outbox.push(...ops);
  runUntil(sys, () => c.replies.length >= before + ops.length);
  return c.replies.slice(before);
}

const segments = (sys: System): AudioSegment[] => {
  const rec = Object.values(sys.machine.records()).find((r) => r.kind === "audio");
  if (!rec || rec.kind !== "audio") throw new Error("no sound card recorded");
  return rec.segments;
};
const underruns = (sys: System): number => {
  const rec = Object.values(sys.machine.records()).find((r) => r.kind === "audio");
  return rec && rec.kind === "audio" ? rec.underruns : -1;
};
/** A segment's samples without the silent frames at its end (what the card played before the driver paused or stopped it). */
function trimmed(g: AudioSegment): { samples: number[]; silent: number } {
  let n = g.samples.length;
  while (n > 0 && g.samples[n - 1] === 0) n--;
  return { samples: Array.from(g.samples.subarray(0, n)), silent: (g.samples.length - n) / g.channels };
}
const writes = (from: number, count: number, n = FRAG): Op[] => Array.from({ length: count }, (_, i) => ({ kind: "write", from: from + i * n, n }));
const driverLines = (sys: System): string[] => sys.kernel.state.console.split("\n").filter((l) => l.startsWith("es1371: "));
const vol = (left: number, right: number): number => left | (right << 8);
const masterOf = (left: number, right: number): number => ((31 - left) << 8) | (31 - right);
/** The card's DAC1 stopped (CONTROL.DAC1_EN clear). */
const dac1Off = (sys: System): boolean => (sys.machine.bus.portRead(0xc200, 4) & 0x40) === 0;

describe("es1371 driver", () => {
  it("initialises the card at boot with MINIX's defaults and plays nothing until written", () => {
    const { sys, c } = bootAudio();
    expect(driverLines(sys)).toEqual(["es1371: ES1371 at 0xc200, 44100 Hz, 16-bit stereo, master 0x0101"]);
    const [open, get] = script(sys, c, { kind: "open" }, { kind: "ioctl", request: MIXIOGETVOLUME, arg: 0 });
    expect(open.status).toBeGreaterThanOrEqual(0);
    expect(get).toMatchObject({ status: OK, value: vol(30, 30) });
    sys.run(10 * TICK);
    expect(segments(sys)).toEqual([]);
  });

  it("plays exactly the fragments written, in order, at the rate and volume set; close lets them play out", () => {
    const { sys, c } = bootAudio();
    const n = 8;
    const replies = script(sys, c, { kind: "open" }, { kind: "ioctl", request: MIXIOSETVOLUME, arg: vol(20, 25) },
      { kind: "ioctl", request: DSPIORATE, arg: 22050 }, ...writes(0, n), { kind: "close" });
    expect(replies.slice(0, 3 + n).map((r) => r.status)).toEqual([expect.any(Number), OK, OK, ...Array(n).fill(FRAG)]);
    expect(replies[3 + n].status).toBe(OK); // close
    runUntil(sys, () => dac1Off(sys)); // the driver stops the card once the last fragment has played
    const played = segments(sys);
    expect(played.length).toBeGreaterThan(0);
    for (const g of played) expect(g).toMatchObject({ dac: 1, rate: 22050, channels: 2, bits: 16, master: masterOf(20, 25), pcm: 0x0808 });
    const all = played.flatMap((g) => trimmed(g).samples);
    expect(all).toEqual(samplesOf(stream(0, n * FRAG)));
    // After the last fragment, the card played at most a few frames of silence before the driver stopped it.
    expect(trimmed(played.at(-1)!).silent).toBeLessThan(64);
    expect(underruns(sys)).toBe(0);
    // Time: n fragments of 1024 frames at 22050 Hz took (about) that long.
    const seconds = (sys.machine.clock.now - played[0].at) / CPU_HZ;
    expect(seconds).toBeGreaterThan((n * 1024) / 22050);
  });

  it("refuses a write of another size (EINVAL), a second open (EBUSY) and bad settings (EINVAL); DSPIOSIZE changes the size", () => {
    const { sys, c } = bootAudio();
    const r = script(sys, c,
      { kind: "open" }, { kind: "open" },
      { kind: "write", from: 0, n: FRAG / 2, fd: 0 }, { kind: "write", from: 0, n: FRAG + 4, fd: 0 },
      { kind: "ioctl", request: DSPIOSIZE, arg: 3000, fd: 0 }, { kind: "ioctl", request: DSPIOSIZE, arg: 32768, fd: 0 },
      { kind: "ioctl", request: DSPIORATE, arg: 3999, fd: 0 }, { kind: "ioctl", request: 0x77, arg: 0, fd: 0 },
      // While a fragment is queued the ring's geometry stays: DSPIOSIZE gets EBUSY.
      { kind: "ioctl", request: DSPIOSIZE, arg: 1024, fd: 0 }, { kind: "write", from: 0, n: 1024, fd: 0 }, { kind: "ioctl", request: DSPIOSIZE, arg: 2048, fd: 0 },
      { kind: "write", from: 1024, n: 4096, fd: 0 },
    );
    expect(r.map((x) => x.status)).toEqual([expect.any(Number), -EBUSY, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, expect.any(Number), OK, 1024, -EBUSY, -EINVAL]);
    expect(r[7].status).toBeLessThan(0); // an unknown ioctl (ENOTTY)
    runUntil(sys, () => segments(sys).length > 0 && trimmed(segments(sys)[0]).samples.length === 512);
    expect(trimmed(segments(sys)[0]).samples).toEqual(samplesOf(stream(0, 1024)));
  });

  it("after running dry it pauses, and the next write plays from its first frame", () => {
    const { sys, c } = bootAudio();
    script(sys, c, { kind: "open" }, ...writes(0, 2));
    sys.run(10 * TICK); // 2 x 23 ms played, then silence and a pause
    const paused = segments(sys).length;
    script(sys, c, ...writes(2 * FRAG, 3));
    sys.run(10 * TICK);
    const played = segments(sys);
    expect(played.length).toBeGreaterThan(paused);
    expect(played.flatMap((g) => trimmed(g).samples)).toEqual(samplesOf(stream(0, 5 * FRAG)));
    for (const g of played) expect(trimmed(g).silent).toBeLessThan(64);
    expect(underruns(sys)).toBe(0);
  });

  it("is deterministic: the same script ends in the same state hash", () => {
    const run = (): string => {
      const { sys, c } = bootAudio();
      script(sys, c, { kind: "open" }, { kind: "ioctl", request: MIXIOSETVOLUME, arg: vol(3, 9) }, ...writes(0, 4), { kind: "close" });
      sys.run(10 * TICK);
      return sys.stateHash();
    };
    expect(run()).toBe(run());
  });

  for (const [build, expected] of [["minix3", masterOf(12, 7)], ["minix3-nostate", DEFAULT_MASTER]] as const) {
    it(`killed mid-play (${build}): the pending write gets EIO, the old fd stays dead, a reopen plays at ${build === "minix3" ? "the published" : "the default"} volume`, () => {
      const { sys, c } = bootAudio(build);
      // Three writes in a row: two fill the ring, the third waits in the driver.
      c.outbox.push({ kind: "open" }, { kind: "ioctl", request: MIXIOSETVOLUME, arg: vol(12, 7) }, ...writes(0, 3));
      runUntil(sys, () => c.replies.length === 4);
      sys.run(TICK / 10);
      expect(c.current).toMatchObject({ kind: "write", from: 2 * FRAG });
      const before = c.replies.length;
      sys.kernel.terminate(procIndex(sys, "es1371"), "killed", "test: kill the audio driver mid-play");
      runUntil(sys, () => c.replies.length > before);
      expect(c.replies.at(-1)).toMatchObject({ op: "write", status: -EIO });
      runUntil(sys, () => (sys.nativeState<RsState>("rs")?.events ?? []).some((e) => e.kind === "up"), 300);
      expect(driverLines(sys).filter((l) => l.includes("ES1371 at 0xc200")).length).toBe(2);
      const after = script(sys, c, ...writes(0, 1), { kind: "ioctl", request: MIXIOGETVOLUME, arg: 0 }, { kind: "close" }, { kind: "open" },
        { kind: "ioctl", request: MIXIOGETVOLUME, arg: 0 }, ...writes(3 * FRAG, 2));
      expect(after.map((r) => r.status)).toEqual([-EIO, -EIO, OK, expect.any(Number), OK, FRAG, FRAG]);
      expect(after[3].status).toBeGreaterThanOrEqual(0);
      expect(after[4].value).toBe(build === "minix3" ? vol(12, 7) : vol(30, 30));
      sys.run(10 * TICK);
      const last = segments(sys).at(-1)!;
      expect(last.master).toBe(expected);
      expect(trimmed(last).samples.slice(-2 * FRAG / 2)).toEqual(samplesOf(stream(3 * FRAG, 5 * FRAG)));
      expect(sys.kernel.state.panic).toBeNull();
    });
  }
});
