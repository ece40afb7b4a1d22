/*
 * A native block-device client: opens a block driver, writes a run of blocks with a seeded
 * pattern, reads them back, checks every byte, and closes. It moves data the way MINIX's file
 * servers do: a grant on its own buffer, a BDEV_READ/BDEV_WRITE sendrec to the driver, and the
 * driver's safecopy. Its state (progress, errors, mismatches) is plain data for tests and
 * oracles to judge.
 *
 * Parameters (space-separated key=value): driver=<label> blocks=<n> first=<block> size=<bytes> seed=<n>
 */
import {
  BDEV_CLOSE, BDEV_OPEN, BDEV_R_BIT, BDEV_READ, BDEV_REPLY, BDEV_W_BIT, BDEV_WRITE, CLOCK, CPF_READ, CPF_WRITE, errorName, M_TYPE, MSG,
  NOTIFY_MESSAGE,
} from "../kernel/abi.js";
import { get32, msgSource, msgType, newMessage, type Message } from "../kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../kernel/native.js";
import type { ServiceConf } from "../kernel/service.js";
import { USER_Q } from "../kernel/params.js";
import { diskOf, type DeviceRecords, type OracleVerdict, type Workload } from "./workload.js";

export interface BlockClientState {
  driver: string;
  blocks: number;
  first: number;
  size: number;
  seed: number;
  /** open, write 0..blocks-1, read 0..blocks-1, close, done */
  phase: "open" | "write" | "read" | "close" | "done";
  index: number;
  grant: number;
  /** Requests answered with an error, as "op block: ERROR". */
  errors: string[];
  /** Blocks read back with wrong contents. */
  mismatches: number[];
  /** Blocks verified correct. */
  verified: number;
  /** IPC failures (the driver died, ...). */
  ipcErrors: string[];
}

function parseParams(params: string): Record<string, string> {
  return Object.fromEntries(params.split(/\s+/).filter(Boolean).map((kv) => kv.split("=", 2) as [string, string]));
}

/** The byte at offset i of block b for seed s. */
export const patternByte = (s: number, b: number, i: number): number => (s * 31 + b * 7 + i * 13 + (i >> 8) * 3) & 0xff;

export function blockPattern(seed: number, block: number, size: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i++) d[i] = patternByte(seed, block, i);
  return d;
}

type Api = NativeApi<BlockClientState>;

function request(k: Api, type: number, block = 0, access = 0): void {
  const s = k.state;
  const dst = k.lookup(s.driver);
  if (dst === undefined) {
    s.ipcErrors.push(`no driver "${s.driver}"`);
    s.phase = "done";
    return;
  }
  const pos = (s.first + block) * s.size;
  const m = newMessage(type, {
    [MSG.bdev.minor]: 0,
    [MSG.bdev.posLo]: pos,
    [MSG.bdev.posHi]: Math.floor(pos / 2 ** 32),
    [MSG.bdev.count]: s.size,
    [MSG.bdev.grant]: s.grant,
    [MSG.bdev.id]: block,
    [MSG.bdev.access]: access,
  });
  k.sendrec(dst, m);
}

function next(k: Api): void {
  const s = k.state;
  if (s.phase === "write" || s.phase === "read") {
    if (s.index >= s.blocks) {
      s.phase = s.phase === "write" ? "read" : "close";
      s.index = 0;
      return next(k);
    }
    const write = s.phase === "write";
    k.write(NATIVE_HEAP, write ? blockPattern(s.seed, s.first + s.index, s.size) : new Uint8Array(s.size));
    const dst = k.lookup(s.driver) ?? 0;
    s.grant = k.grant(dst, NATIVE_HEAP, s.size, write ? CPF_READ : CPF_WRITE);
    return request(k, write ? BDEV_WRITE : BDEV_READ, s.index);
  }
  if (s.phase === "close") return request(k, BDEV_CLOSE);
}

export const blockClient: NativeProgram<BlockClientState> = {
  init(_label, params) {
    const p = parseParams(params);
    return {
      driver: p.driver ?? "at_wini",
      blocks: Number(p.blocks ?? 8),
      first: Number(p.first ?? 0),
      size: Number(p.size ?? 4096),
      seed: Number(p.seed ?? 1),
      phase: "open",
      index: 0,
      grant: -1,
      errors: [],
      mismatches: [],
      verified: 0,
      ipcErrors: [],
    };
  },

  start(k) {
    request(k, BDEV_OPEN, 0, BDEV_R_BIT | BDEV_W_BIT);
  },

  receive(k, m: Message) {
    const s = k.state;
    if (msgType(m) === NOTIFY_MESSAGE && msgSource(m) === CLOCK) return;
    if (get32(m, M_TYPE) !== BDEV_REPLY) return;
    const status = get32(m, MSG.bdevReply.status);
    if (s.grant >= 0) k.revoke(s.grant);
    s.grant = -1;
    if (s.phase === "open" || s.phase === "close") {
      if (status < 0) s.errors.push(`${s.phase}: ${errorName(status)}`);
      s.phase = s.phase === "open" ? "write" : "done";
      return next(k);
    }
    const block = s.first + s.index;
    if (status !== s.size) s.errors.push(`${s.phase} ${block}: ${status < 0 ? errorName(status) : `short transfer ${status}`}`);
    else if (s.phase === "read") {
      const got = k.read(NATIVE_HEAP, s.size);
      const want = blockPattern(s.seed, block, s.size);
      if (got.every((b, i) => b === want[i])) s.verified++;
      else s.mismatches.push(block);
    }
    s.index++;
    next(k);
  },

  ipcError(k, _partner, code) {
    k.state.ipcErrors.push(`${k.state.phase} ${k.state.first + k.state.index}: ${errorName(code)}`);
    k.state.phase = "done";
  },
};

/** The service-table entry for the client (composition adds the driver it may call and its parameters). */
export function blocksService(): ServiceConf {
  return { label: "blocks", program: { native: "blocks" }, role: "user", priority: USER_Q, ipcTo: ["ds"], kernelCalls: [], io: [], irqs: [] };
}

/** The oracle: every block the client wrote is on the disk with the right bytes. */
export function judgeBlocks(params: string, s: BlockClientState | undefined, devices: DeviceRecords): OracleVerdict {
  const disk = diskOf(devices);
  const st = s ?? blockClient.init("client", params);
  const wrong: number[] = [];
  for (let b = st.first; b < st.first + st.blocks; b++) {
    const want = blockPattern(st.seed, b, st.size);
    const off = b * st.size;
    if (!want.every((v, i) => disk[off + i] === v)) wrong.push(b);
  }
  const errors = [...(s?.errors ?? []), ...(s?.ipcErrors ?? [])];
  const details = { errors, mismatches: s?.mismatches ?? [], wrongOnDisk: wrong, verified: s?.verified ?? 0 };
  if (!s || s.phase !== "done") return { verdict: "incomplete", summary: `stopped in phase ${s?.phase ?? "gone"}`, details };
  if (s.mismatches.length || (wrong.length && !errors.length)) return { verdict: "corrupt", summary: `${s.mismatches.length} blocks read back wrong, ${wrong.length} wrong on disk`, details };
  if (errors.length) return { verdict: "errors", summary: errors.join("; "), details };
  return { verdict: "pass", summary: `${s.verified} blocks written, read back and found on disk`, details };
}

export const blocksWorkload: Workload<BlockClientState> = {
  name: "blocks",
  description: "raw block I/O: write a run of blocks with a seeded pattern, read back, check the disk",
  program: blockClient,
  service: blocksService(),
  servers: [],
  drivers: ["block"],
  params: (seed, drivers) => `driver=${drivers.block[0]} blocks=16 first=${8 + (seed % 64)} size=4096 seed=${seed}`,
  progress: (s) => (s.phase === "write" ? 0 : s.phase === "read" ? s.blocks : 2 * s.blocks) + s.index + (s.phase === "done" ? 1 : 0),
  done: (s) => s.phase === "done",
  judge: judgeBlocks,
};
