/*
 * The audio workload on the real system (the es1371 driver behind /dev/audio, VFS, DS, RS, the
 * ES1371 card), judged by its oracle from the card's record: a fault-free run plays the waveform
 * exactly at the user's volume; a driver crash mid-play is a hiccup the careful player rides over
 * (pass, so "recovered") at the user's volume on minix3, because the restarted driver reads it
 * back from DS, and at the driver's default on minix3-nostate (errors: degraded); a hang seen only
 * by the heartbeat leaves the card looping its stale buffers (a stutter: degraded); the crash
 * takes monolithic down. And the oracle's frame placement on literal segments.
 */
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import type { AudioSegment } from "../../system/machine/device.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { audioWorkload, compareAudio, judgeAudio, masterFor, waveform, type AudioState } from "../../system/workloads/audio.js";
import { ILLEGAL, LOOP, patchRunning } from "../support/system.js";

const PARAMS = "seed=2 rate=22050 fragment=4096 fragments=16 volume=20";

function compose(build = "minix3", heartbeatTicks?: number): System {
  const c = composeSystem(BUILDS[build], audioWorkload, { params: PARAMS, heartbeatTicks });
  if (!c.ok) throw new Error(c.error);
  return c.system;
}

const state = (sys: System): AudioState => sys.nativeState<AudioState>("audio")!;
const segments = (sys: System): AudioSegment[] => {
  const r = Object.values(sys.machine.records()).find((d) => d.kind === "audio");
  if (!r || r.kind !== "audio") throw new Error("no sound card");
  return r.segments;
};

/** A segment of stereo frames `frames` (32-bit each) at `rate` and master `master`. */
function seg(frames: number[], rate = 8000, master = masterFor(20)): AudioSegment {
  const samples = new Int16Array(frames.length * 2);
  frames.forEach((f, i) => {
    samples[2 * i] = f & 0xffff;
    samples[2 * i + 1] = f >>> 16;
  });
  return { at: 0, dac: 1, rate, channels: 2, bits: 16, master, pcm: 0x0808, samples };
}

describe("compareAudio", () => {
  const wave = Uint32Array.from([11, 22, 33, 44, 55, 66]);
  it("places frames: in order, repeated, lost, silent, wrong, and at another volume or rate", () => {
    expect(compareAudio(wave, [seg([11, 22, 33, 44, 55, 66])], 8000, masterFor(20))).toMatchObject({ lost: 0, repeated: 0, wrong: 0, silent: 0, off: 0 });
    const c = compareAudio(wave, [seg([11, 22, 33, 22, 33, 0, 0]), seg([99, 44], 8000, masterFor(30)), seg([66], 11025)], 8000, masterFor(20));
    expect(c).toMatchObject({ played: 10, repeated: 2, silent: 2, wrong: 1, lost: 1, off: 2 });
    expect(c.offSettings).toEqual(["8000 Hz, master 0x101", "11025 Hz, master 0xb0b"]);
  });
});

describe("the audio workload", () => {
  it("plays the waveform exactly at the user's volume and rate, in both builds", () => {
    for (const build of ["minix3", "monolithic"]) {
      const sys = compose(build);
      const o = runWorkload(sys, audioWorkload, PARAMS, DEFAULT_LIMITS);
      expect(o.oracle.verdict).toBe("pass");
      const j = judgeAudio(PARAMS, state(sys), sys.machine.records());
      expect(j).toMatchObject({ frames: 16 * 1024, lost: 0, repeated: 0, wrong: 0, off: 0, eios: 0 });
      expect(segments(sys).every((s) => s.rate === 22050 && s.master === masterFor(20))).toBe(true);
    }
  });

  it("the waveform is the seed's: a shorter one is its prefix, another seed's differs, no frame is silent", () => {
    // Separate computations (the cache is keyed by length too), so the comparison is of two generations.
    expect(Array.from(waveform(2, 50))).toEqual(Array.from(waveform(2, 100).subarray(0, 50)));
    expect(Array.from(waveform(3, 100))).not.toEqual(Array.from(waveform(2, 100)));
    expect(waveform(2, 100).includes(0)).toBe(false);
  });

  /** Runs to fragment 6, then crashes (or hangs) the driver in its interrupt handler. */
  function fault(build: string, word: number, heartbeatTicks?: number) {
    const sys = compose(build, heartbeatTicks);
    expect(sys.runUntil(() => state(sys).offset >= 6 * 4096, 1_000_000_000)).toBe("done");
    patchRunning(sys, "es1371", "es_played", [word]);
    const o = runWorkload(sys, audioWorkload, PARAMS, { ...DEFAULT_LIMITS, budgetCycles: 3_000_000_000, watchdogCycles: 1_000_000_000 });
    return { sys, o, j: judgeAudio(PARAMS, state(sys), sys.machine.records()) };
  }

  it("minix3: a crash mid-play is a hiccup at the user's volume (the restarted driver read it from DS): pass, i.e. recovered", () => {
    const { sys, o, j } = fault("minix3", ILLEGAL);
    expect(sys.kernel.state.events.filter((e) => e.label === "es1371").map((e) => e.kind)).toContain("crash");
    expect(state(sys).eios.length).toBe(1);
    expect(state(sys).opens).toBe(2);
    expect(j).toMatchObject({ off: 0, wrong: 0 });
    expect(j.lost + j.repeated).toBeGreaterThan(0); // a hiccup, not nothing
    expect(o.oracle.verdict).toBe("pass");
  });

  it("minix3-nostate: the same crash brings the card back at the default volume: errors, i.e. degraded", () => {
    const { o, j } = fault("minix3-nostate", ILLEGAL);
    expect(j.off).toBeGreaterThan(0);
    expect(j.offSettings).toEqual(["22050 Hz, master 0x101"]); // MINIX's AC'97 init volume
    expect(o.oracle.verdict).toBe("errors");
  });

  it("minix3: a hang found by the heartbeat leaves the card looping stale buffers: a stutter, degraded", () => {
    const { sys, o, j } = fault("minix3", LOOP, 33);
    expect(sys.nativeState<{ events: Array<{ kind: string }> }>("rs")!.events.map((e) => e.kind)).toContain("hang");
    expect(j.repeated).toBeGreaterThan(3 * 1024);
    expect(o.oracle.verdict).toBe("errors");
  });

  it("monolithic: the crash is a kernel panic", () => {
    expect(fault("monolithic", ILLEGAL).o.end).toBe("panic");
  });
});
