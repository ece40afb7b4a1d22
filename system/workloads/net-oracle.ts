/*
 * The oracle of the `net` workload: a pure function from the workload's parameters, its final
 * state and what the remote host witnessed (the wire's record) to a verdict. The remote host is
 * outside the guest, so what it recorded is what really crossed the wire:
 *
 *   pass     the program finished without errors; the echo service received exactly the stream
 *            the program wrote, the program read exactly that back, every datagram came back;
 *   errors   the program saw errors the protocols allow (a reset or timed-out stream, a lost
 *            datagram, or it did not finish), and nothing it was given was wrong;
 *   corrupt  wrong bytes: the program read back bytes it did not write, or the remote host
 *            received bytes the program did not write (in content or order) — silently or not.
 *
 * netWorkload packages program, parameters, progress and this oracle as a Workload.
 */
import { fileBytesEqual } from "./files.js";
import { net, netParams, netService, streamBytes, ECHO_PORT, STREAM_PATH, type NetState } from "./net.js";
import type { DeviceRecords, OracleVerdict, Workload } from "./workload.js";

/** What the remote host recorded of one stream connection (system/net/remote-host.ts). */
interface StreamWitness {
  port: number;
  received: Uint8Array;
}

/** The remote host's record, from the wire's record. */
function remoteRecord(devices: DeviceRecords): { streams: StreamWitness[]; udp: { received: number; echoed: number } } | undefined {
  const wire = Object.values(devices).find((d) => d.kind === "wire");
  if (!wire || wire.kind !== "wire") return undefined;
  return wire.peer as { streams: StreamWitness[]; udp: { received: number; echoed: number } };
}

export interface NetJudgement {
  verdict: "pass" | "errors" | "corrupt";
  programErrors: string[];
  programMismatches: string[];
  /** Bytes the echo service received, and where they first differ from the program's stream (-1: they do not). */
  remoteReceived: number;
  remoteWrongAt: number;
}

/** The first offset where `got` differs from the stream of `seed`, or -1. */
function firstDifference(seed: number, got: Uint8Array): number {
  if (fileBytesEqual(got, seed, STREAM_PATH, 0, got.length)) return -1;
  const want = streamBytes(seed, 0, got.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return i;
  return got.length;
}

export function judgeNet(params: string, state: NetState | undefined, devices: DeviceRecords): NetJudgement {
  const p = netParams(params);
  const programErrors = state ? state.errors.map((e) => `${e.request}: ${e.error}`) : ["the workload is gone"];
  if (state && !state.done) programErrors.push(`the workload did not finish (phase ${state.phase}, ${state.ops} operations)`);
  if (state && state.lost) programErrors.push(`${state.lost} datagram(s) not echoed in time`);
  const programMismatches = [...(state?.mismatches ?? [])];
  const record = remoteRecord(devices);
  // Every echo connection the program opened: a restart does not open a new one, but a test may.
  const echoes = (record?.streams ?? []).filter((c) => c.port === ECHO_PORT);
  let remoteReceived = 0;
  let remoteWrongAt = -1;
  for (const c of echoes) {
    remoteReceived += c.received.length;
    const at = firstDifference(p.seed, c.received);
    if (at >= 0 && remoteWrongAt < 0) remoteWrongAt = at;
  }
  // The whole stream must have reached the host when the program says it was echoed back.
  const short = state?.done && state.received === p.bytes && !state.errors.length && remoteReceived < p.bytes;
  if (short) programMismatches.push(`the echo service received ${remoteReceived} of ${p.bytes} bytes`);
  const corrupt = programMismatches.length > 0 || remoteWrongAt >= 0 || (state !== undefined && state.sent > p.bytes);
  const verdict = corrupt ? "corrupt" : programErrors.length ? "errors" : "pass";
  return { verdict, programErrors, programMismatches, remoteReceived, remoteWrongAt };
}

export function judgeNetRun(params: string, state: NetState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgeNet(params, state, devices);
  const details = { ...j };
  if (j.verdict === "corrupt") {
    const what = [...j.programMismatches, ...(j.remoteWrongAt >= 0 ? [`the remote host received a wrong byte at offset ${j.remoteWrongAt}`] : [])];
    return { verdict: "corrupt", summary: what.join("; "), details };
  }
  if (!state || !state.done) return { verdict: "incomplete", summary: state ? `stopped in phase ${state.phase} after ${state.ops} operations` : "the workload is gone", details };
  if (j.verdict === "errors") return { verdict: "errors", summary: j.programErrors.join("; "), details };
  return { verdict: "pass", summary: `${state.received} bytes echoed and checked at both ends, ${state.echoed} datagrams echoed`, details };
}

export const netWorkload: Workload<NetState> = {
  name: "net",
  description: "a stream to the remote host's echo service (seeded bytes in seeded write sizes, read back and checked) and UDP echoes; the remote host's record is the witness",
  program: net,
  service: netService(),
  servers: ["inet"],
  drivers: ["net"],
  params: (seed) => `seed=${seed} bytes=131072 maxwrite=4096 udp=4`,
  progress: (s) => s.ops,
  done: (s) => s.done,
  judge: judgeNetRun,
};
