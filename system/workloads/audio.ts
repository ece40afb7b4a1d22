/*
 * The `audio` workload: the user sets the mixer volume once (MIXIOSETVOLUME: the user's setting,
 * not the player's), then a player opens /dev/audio, sets rate and format (DSPIORATE, DSPIOSTEREO,
 * DSPIOBITS, DSPIOSIZE) and plays a deterministic waveform in fragment-sized writes, reopening
 * and reconfiguring after EIO as a careful player does (chardev-client.ts) — but never touching
 * the volume, which is the user's. The waveform is seeded 16-bit stereo noise: every frame is a
 * 32-bit value the oracle can place in the stream.
 *
 * The oracle judges what the card played (its record: frames with the rate and codec master
 * volume in force) against the waveform, frame by frame:
 *   lost      waveform frames never played (a dropout);
 *   repeated  frames played again (the card looping over stale buffers while the driver was
 *             dead, or a fragment the player sent again);
 *   wrong     non-silent frames the waveform does not have (garbage played);
 *   silent    zero frames (the driver silences a played fragment nothing refilled, so a
 *             pause or the end of the stream leaves a little silence; a refused DMA read plays
 *             silence): a gap in the sound, not damage by itself — what it stood in for counts
 *             as lost;
 *   off       frames played at another rate or volume than the user set (a restarted driver
 *             back at its defaults: what stateful recovery is for).
 * Verdicts:
 *   pass     everything played exactly; or the program saw only the errors a driver restart
 *            causes (EIO, then ENXIO while reopening) and the damage is a hiccup — no frame
 *            off, nothing wrong, and lost and repeated frames within what a restart costs
 *            (HICCUP_FRAGMENTS fragments each time its open file went bad: the card's two
 *            buffers and the fragment sent again). With a failure detected and repaired this is
 *            "recovered";
 *   errors   the program saw errors and the damage is more: frames at the wrong volume or rate,
 *            a long stutter (a hang the heartbeat took seconds to see), a larger dropout, or it
 *            gave up ("degraded");
 *   corrupt  garbage played, or damage the program saw no error for.
 *
 * Parameters: seed=<n> (1) rate=<Hz> (22050) fragment=<bytes> (4096) fragments=<n> (24)
 * volume=<level 0..31, both sides> (20) retry=<ticks between opens> (10) retries=<opens> (300)
 */
import seedrandom from "seedrandom";
import { DSPIOBITS, DSPIORATE, DSPIOSIZE, DSPIOSTEREO, MIXIOSETVOLUME } from "../kernel/abi.js";
import { HZ } from "../kernel/params.js";
import type { AudioSegment } from "../machine/device.js";
import { charVerdict, charWorkload, restartErrors, type CharJob, type CharState } from "./chardev-client.js";
import { num, parseParams } from "./vfs-client.js";
import type { DeviceRecords, OracleVerdict, Workload } from "./workload.js";

export interface AudioParams {
  seed: number;
  rate: number;
  fragment: number;
  fragments: number;
  volume: number;
  retry: number;
  retries: number;
}

export function audioParams(params: string): AudioParams {
  const p = parseParams(params);
  return {
    seed: num(p.seed, 1),
    rate: Math.max(4000, Math.min(48000, num(p.rate, 22050))),
    fragment: Math.max(1024, Math.min(16384, num(p.fragment, 4096))),
    fragments: Math.max(1, num(p.fragments, 24)),
    volume: Math.max(0, Math.min(31, num(p.volume, 20))),
    retry: Math.max(1, num(p.retry, 10)),
    retries: Math.max(1, num(p.retries, 300)),
  };
}

/** Fragments a recovered failure may cost per reopen after EIO: the card's two buffers and the one sent again. */
export const HICCUP_FRAGMENTS = 3;

/** The codec master register (AC'97 0x02) a driver writes for level `v` on both sides: attenuation 31 - v, mute clear. */
export const masterFor = (v: number): number => ((31 - v) << 8) | (31 - v);

const waveCache = new Map<string, Uint32Array>();

/** The waveform: `frames` stereo frames of seeded noise, each (L & 0xffff) | R << 16, as the card's bytes hold them. */
export function waveform(seed: number, frames: number): Uint32Array {
  const key = `${seed}:${frames}`;
  let w = waveCache.get(key);
  if (!w) {
    const rng = seedrandom(`audio:${seed}`);
    w = new Uint32Array(frames);
    for (let i = 0; i < frames; i++) w[i] = rng.int32() >>> 0 || 1; // never the silent frame 0
    if (waveCache.size > 16) waveCache.clear();
    waveCache.set(key, w);
  }
  return w;
}

const audioJob = (params: string): CharJob => {
  const p = audioParams(params);
  const wave = waveform(p.seed, (p.fragments * p.fragment) / 4);
  const bytes = new Uint8Array(wave.buffer, wave.byteOffset, wave.byteLength);
  const io = (request: number, arg: number, name: string) => ({ request, arg, name });
  return {
    node: "audio",
    once: [io(MIXIOSETVOLUME, p.volume | (p.volume << 8), "volume")],
    config: [io(DSPIORATE, p.rate, "rate"), io(DSPIOSTEREO, 1, "stereo"), io(DSPIOBITS, 16, "bits"), io(DSPIOSIZE, p.fragment, "fragment")],
    total: bytes.length,
    piece: p.fragment,
    bytes: (a, b) => bytes.slice(a, b),
    retryTicks: p.retry,
    retries: p.retries,
    // MINIX plays the queued fragments out after close: two fragments, and a tick to spare.
    drainTicks: Math.ceil((2 * (p.fragment / 4) * HZ) / p.rate) + 1,
  };
};

export type AudioState = CharState;

export interface AudioJudgement {
  verdict: "pass" | "errors" | "corrupt";
  programErrors: string[];
  /** EIOs the program saw (driver restarts it lived through). */
  eios: number;
  frames: number;
  played: number;
  lost: number;
  repeated: number;
  wrong: number;
  silent: number;
  /** Waveform frames played at another rate or volume than set, and the settings seen for them. */
  off: number;
  offSettings: string[];
}

const indexCache = new WeakMap<Uint32Array, Map<number, number>>();

/** Frame value -> its first position in `wave` (made once per waveform: every experiment's oracle asks). */
function frameIndex(wave: Uint32Array): Map<number, number> {
  let index = indexCache.get(wave);
  if (!index) {
    index = new Map<number, number>();
    for (let i = wave.length - 1; i >= 0; i--) index.set(wave[i], i);
    indexCache.set(wave, index);
  }
  return index;
}

/** Places every played frame on the waveform (see the file comment); pure. */
export function compareAudio(wave: Uint32Array, segments: AudioSegment[], rate: number, master: number): Omit<AudioJudgement, "verdict" | "programErrors" | "eios"> {
  const index = frameIndex(wave);
  const heard = new Uint8Array(wave.length);
  let played = 0;
  let repeated = 0;
  let wrong = 0;
  let silent = 0;
  let off = 0;
  const offSettings = new Set<string>();
  for (const seg of segments) {
    const stereo16 = seg.channels === 2 && seg.bits === 16;
    const right = seg.rate === rate && seg.master === master;
    const s = seg.samples;
    const step = seg.channels;
    for (let i = 0; i + step - 1 < s.length; i += step) {
      played++;
      const frame = stereo16 ? ((s[i] & 0xffff) | (s[i + 1] << 16)) >>> 0 : -1;
      if (frame === 0) {
        silent++;
        continue;
      }
      const at = index.get(frame);
      if (at === undefined) {
        wrong++;
        continue;
      }
      if (heard[at]) repeated++;
      heard[at] = 1;
      if (!right) {
        off++;
        offSettings.add(`${seg.rate} Hz, master 0x${seg.master.toString(16)}`);
      }
    }
  }
  let lost = 0;
  for (let i = 0; i < wave.length; i++) if (!heard[i]) lost++;
  return { frames: wave.length, played, lost, repeated, wrong, silent, off, offSettings: [...offSettings] };
}

export function judgeAudio(params: string, state: AudioState | undefined, devices: DeviceRecords): AudioJudgement {
  const p = audioParams(params);
  const wave = waveform(p.seed, (p.fragments * p.fragment) / 4);
  const rec = Object.values(devices).find((d) => d.kind === "audio");
  const segments = rec && rec.kind === "audio" ? rec.segments : [];
  const programErrors = state ? state.errors.map((e) => `${e.request}: ${e.error}`) : ["the workload is gone"];
  if (state && !state.done) programErrors.push(`the workload did not finish (${state.phase}, ${state.offset} of ${wave.byteLength} bytes taken)`);
  const c = compareAudio(wave, segments, p.rate, masterFor(p.volume));
  const restarts = state ? restartErrors(state) : { only: false, restarts: 0 };
  const finished = state?.done === true && state.offset === wave.byteLength;
  // Frames the program never got to write are not lost by the system.
  const unwritten = finished ? 0 : wave.length - Math.floor((state?.offset ?? 0) / 4);
  const lost = Math.max(0, c.lost - unwritten);
  const damage = lost + c.repeated;
  const sawErrors = programErrors.length > 0;
  let verdict: AudioJudgement["verdict"];
  if (c.wrong > 0 || ((damage > 0 || c.off > 0) && !sawErrors)) verdict = "corrupt";
  else if (!sawErrors) verdict = "pass";
  else if (finished && restarts.only && c.off === 0 && damage <= (restarts.restarts * HICCUP_FRAGMENTS * p.fragment) / 4) verdict = "pass";
  else verdict = "errors";
  return { verdict, programErrors, eios: restarts.restarts, ...c, lost };
}

function judgeAudioRun(params: string, state: AudioState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgeAudio(params, state, devices);
  const counts = `${j.played} frames played of ${j.frames}: ${j.lost} lost, ${j.repeated} repeated, ${j.silent} silent, ${j.wrong} wrong, ${j.off} at another rate or volume${j.offSettings.length ? ` (${j.offSettings.join("; ")})` : ""}`;
  return charVerdict(state, j, {
    corrupt: `what was played differs from the waveform: ${counts}`,
    errors: `${j.programErrors.slice(0, 3).join("; ")} (${counts})`,
    pass: j.eios ? `played through ${j.eios} driver failure(s) with a hiccup: ${counts}` : `waveform played exactly (${j.played} frames)`,
  });
}

export const audioWorkload: Workload<AudioState> = charWorkload(
  "audio",
  "set the volume once, then play seeded 16-bit stereo noise on /dev/audio in fragments, reopening and reconfiguring (not the volume) after EIO; the card's record judged frame by frame",
  "audio",
  audioJob,
  judgeAudioRun,
);
