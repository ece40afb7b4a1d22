/*
 * The `throughput` workload, after Figure 3 of the MINIX 3 seed paper ("Construction of a Highly
 * Dependable Operating System", §6.1: a file written in transfer units of 1 KB to 64 MB). For
 * each transfer size in `sizes` the program writes `total` bytes to a file in transfers of that
 * size, SYNCs, opens the file again and reads it back in the same transfer size, checking every
 * byte. It times each phase in emulated cycles (k.now(), never the wall clock), so throughput
 * per size per build is bytes / (cycles / CPU_HZ) (throughputOf).
 *
 *   write phase  from sending the first WRITE to the SYNC's reply (every dirty block on disk);
 *   read phase   from sending the first READ to the reply that completes `total` bytes (a last
 *                READ that must find end-of-file follows, untimed).
 *
 * One file, rewritten by every size. A new file per size would lie further along the disk for
 * each size, and the seeks between it and the metadata at the start of the disk would grow with
 * it: measured on the 4 MiB disk, that cost grew from 0.14 to 1.85 Mcycles per write phase
 * from the first size's file to the seventh, more than the transfer size changes (and VFS can
 * neither truncate nor unlink to give the blocks back). So an untimed first pass (passes[0],
 * transfers of VFS.IO_MAX) creates the file, writes, syncs and reads it, leaving the disk and
 * the cache as every later pass leaves them; then each size rewrites the same blocks. A rewrite
 * in transfers smaller than a block must read each block before changing part of it (fsops.ts
 * fileWriteMap, as MINIX's rw_chunk): that cost is the transfer size's, and counted. Each pass
 * writes different bytes (passBytes), so a write lost on the way reads back as the previous
 * pass's bytes and is seen.
 *
 * A transfer is one buffer of `size` bytes in the program's memory. VFS moves at most
 * VFS.IO_MAX (16 KiB) per request (its write staging area is that big, servers/vfs/memory.ts),
 * so a larger transfer is a sequence of requests on consecutive parts of the buffer, as a C
 * library would split it; a short count is asked again for the rest. Transfers of 16, 32 and
 * 64 KiB therefore make the same requests; they differ only in how often the buffer is filled.
 *
 * The program sleeps one clock tick every PAUSE_EVERY operations, as files.ts does (native
 * handlers chain within one kernel entry); the cycles it sleeps inside a phase are recorded and
 * not counted as transfer time.
 *
 * Parameters: seed=<n> (1) sizes=<bytes,bytes,...> (1024,...,65536; each 1..MAX_TRANSFER,
 *             duplicates dropped) total=<bytes> (262144: twice VFS's default cache of 32
 *             blocks, so both phases go to the disk, through the driver, for every size)
 */
import { errorName, VFS, VFS_MSG } from "../kernel/abi.js";
import { get32, newMessage, type Message } from "../kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../kernel/native.js";
import { NATIVE_MEM_SIZE, USER_Q } from "../kernel/params.js";
import type { ServiceConf } from "../kernel/service.js";
import { CPU_HZ } from "../machine/memmap.js";
import { MAX_FILE_SIZE } from "../servers/vfs/fsformat.js";
import { fileBytes } from "./files.js";
import { clientReceive, noteReply, dataRequest, num, parseParams, pathRequest, vfsEndpoint, type VfsClientState } from "./vfs-client.js";

export interface ThroughputParams {
  seed: number;
  /** Transfer sizes in bytes, in the order they run. */
  sizes: number[];
  /** Bytes written (and read back) per size. */
  total: number;
}

/** One pass over the file in one transfer size, and its measurements. Times are emulated cycles (k.now()), -1 until taken. */
export interface PassRecord {
  size: number;
  writeStart: number;
  writeEnd: number;
  readStart: number;
  readEnd: number;
  /** Cycles the program slept inside each phase (its own pauses): not transfer time. */
  writePaused: number;
  readPaused: number;
  /** WRITE and READ requests sent in each phase (a transfer above VFS.IO_MAX is several). */
  writeRequests: number;
  readRequests: number;
  /** The SYNC after the writes succeeded. */
  synced: boolean;
  /** An error touched the pass's writing (open, writes, SYNC, close): what it wrote is not promised. */
  writeFailed: boolean;
  /** An error touched its reading back. */
  readFailed: boolean;
  /** Read back whole, right, and at end-of-file after `total` bytes. */
  verified: boolean;
}

type Phase = "create" | "open" | "write" | "sync" | "close" | "ropen" | "read" | "eof" | "rclose" | "done";

export interface ThroughputState extends VfsClientState {
  p: ThroughputParams;
  phase: Phase;
  /** The pass being run (index in passes). */
  pass: number;
  /** Bytes of the file written or read so far in this pass, and the offset where the current transfer began. */
  offset: number;
  xferAt: number;
  /** Since when the program sleeps (cycles). */
  sleptAt: number;
  /** passes[0]: the untimed first pass that creates the file; passes[i]: p.sizes[i - 1]. */
  passes: PassRecord[];
}

/** Throughput of one transfer size on one run. */
export interface SizeThroughput {
  size: number;
  writeCycles: number;
  readCycles: number;
  writeBytesPerSec: number;
  readBytesPerSec: number;
}

export const DEFAULT_SIZES = [1024, 2048, 4096, 8192, 16384, 32768, 65536];
export const DEFAULT_TOTAL = 256 * 1024;
export const THROUGHPUT_PATH = "/throughput";

const PATH_BUF = NATIVE_HEAP;
const DATA_BUF = NATIVE_HEAP + 0x1000;
/** The largest transfer: the data buffer runs to the end of the program's memory region. */
export const MAX_TRANSFER = NATIVE_MEM_SIZE - DATA_BUF;
const MAX_EVENTS = 200;
/** Handler runs of natives chain within one kernel entry; a pause now and then lets time pass. */

/** The workload's parameters from its boot parameter string. */
export function throughputParams(params: string): ThroughputParams {
  const p = parseParams(params);
  const listed = (p.sizes ?? "").split(",").filter(Boolean).map(Number).filter(Number.isFinite);
  const sizes = [...new Set(listed.map((n) => Math.max(1, Math.min(MAX_TRANSFER, Math.floor(n)))))];
  return {
    seed: num(p.seed, 1),
    sizes: sizes.length ? sizes : [...DEFAULT_SIZES],
    total: Math.max(1, Math.min(MAX_FILE_SIZE, Math.floor(num(p.total, DEFAULT_TOTAL)))),
  };
}

/** Bytes [from, to) of what pass `pass` writes (each pass its own seeded stream). */
export const passBytes = (p: ThroughputParams, pass: number, from: number, to: number): Uint8Array => fileBytes(p.seed, `${THROUGHPUT_PATH}:${pass}`, from, to);

/** How errors and mismatches name pass `pass`. */
export const passLabel = (p: ThroughputParams, pass: number): string => (pass === 0 ? "first pass" : `${p.sizes[pass - 1]}-byte transfers`);

/** The service-table entry for the workload (composition adds the drivers it may call and its parameters). */
export function throughputService(): ServiceConf {
  return { label: "throughput", program: { native: "throughput" }, role: "user", priority: USER_Q, ipcTo: ["vfs", "ds"], kernelCalls: [], io: [], irqs: [] };
}

/**
 * Cycles and bytes per second of each size whose pass ran to its end without an error or a
 * wrong byte (only those measured what they claim to), in the order of p.sizes.
 */
export function throughputOf(s: ThroughputState): SizeThroughput[] {
  const bytes = s.p.total;
  return s.passes
    .slice(1)
    .filter((r) => r.verified && !r.writeFailed && !r.readFailed && r.writeEnd >= 0 && r.readEnd >= 0)
    .map((r) => {
      const writeCycles = r.writeEnd - r.writeStart - r.writePaused;
      const readCycles = r.readEnd - r.readStart - r.readPaused;
      return { size: r.size, writeCycles, readCycles, writeBytesPerSec: (bytes * CPU_HZ) / writeCycles, readBytesPerSec: (bytes * CPU_HZ) / readCycles };
    });
}

type Api = NativeApi<ThroughputState>;

const current = (s: ThroughputState): PassRecord => s.passes[s.pass];
/** Bytes in the current transfer. */
const xferLen = (s: ThroughputState): number => Math.min(current(s).size, s.p.total - s.xferAt);

/** Issues the request of the current phase. */
function next(k: Api): void {
  const s = k.state;
  if (s.phase === "open" && s.pass >= s.passes.length) s.phase = "done";
  const r = current(s);
  switch (s.phase) {
    case "create": return pathRequest(k, s.grants, PATH_BUF, VFS.CREATE, THROUGHPUT_PATH);
    case "open":
    case "ropen": return pathRequest(k, s.grants, PATH_BUF, VFS.OPEN, THROUGHPUT_PATH);
    case "write":
      // A new transfer: the program fills its buffer (host work, no emulated time).
      if (s.offset === s.xferAt) k.write(DATA_BUF, passBytes(s.p, s.pass, s.xferAt, s.xferAt + xferLen(s)));
      if (r.writeStart < 0) r.writeStart = k.now();
      r.writeRequests++;
      return transferRequest(k, VFS.WRITE);
    case "read":
      if (r.readStart < 0) r.readStart = k.now();
      r.readRequests++;
      return transferRequest(k, VFS.READ);
    case "eof": return dataRequest(k, s.grants, VFS.READ, s.fd, DATA_BUF, 1);
    case "sync": return void k.sendrec(vfsEndpoint(k), newMessage(VFS.SYNC));
    case "close":
    case "rclose": return void k.sendrec(vfsEndpoint(k), newMessage(VFS.CLOSE, { [VFS_MSG.request.fd]: s.fd }));
    case "done": s.done = true;
  }
}

/** The next request of the current transfer: its remaining part, at most VFS.IO_MAX bytes. */
function transferRequest(k: Api, type: number): void {
  const s = k.state;
  const at = s.offset - s.xferAt;
  dataRequest(k, s.grants, type, s.fd, DATA_BUF + at, Math.min(VFS.IO_MAX, xferLen(s) - at));
}

/** What the request just answered was, for events and errors. */
function describe(s: ThroughputState): string {
  const op = { create: "CREATE", open: "OPEN", write: "WRITE", sync: "SYNC", close: "CLOSE", ropen: "OPEN", read: "READ", eof: "READ", rclose: "CLOSE", done: "" }[s.phase];
  const at = s.phase === "write" || s.phase === "read" || s.phase === "eof" ? ` @${s.offset}` : "";
  return s.phase === "done" ? op : `${op}${at} (${passLabel(s.p, s.pass)})`;
}

/** Records an error in the current pass, against its writing or its reading back. */
function failed(s: ThroughputState, request: string, error: string): void {
  s.errors.push({ request, error });
  const r = current(s);
  if (s.phase === "ropen" || s.phase === "read" || s.phase === "eof" || s.phase === "rclose") r.readFailed = true;
  else r.writeFailed = true;
}

function mismatch(s: ThroughputState): void {
  const label = passLabel(s.p, s.pass);
  if (!s.mismatches.includes(label)) s.mismatches.push(label);
}

/** The next pass (rewriting the file in the next size), or done. */
function nextPass(s: ThroughputState): void {
  s.pass++;
  s.phase = "open";
}

/** Handles the reply to the current phase's request and moves to the next step. */
function step(k: Api, status: number): void {
  const s = k.state;
  const what = describe(s);
  noteReply(k, what, status, MAX_EVENTS);
  const err = status < 0 ? errorName(status) : "";
  const r = current(s);
  if (err) failed(s, what, err);
  switch (s.phase) {
    case "create":
    case "open":
    case "ropen":
      if (err) return nextPass(s);
      s.fd = status;
      s.phase = s.phase === "ropen" ? "read" : "write";
      s.offset = s.xferAt = 0;
      return;
    case "write":
      return writeDone(s, status, err, what);
    case "sync":
      r.writeEnd = k.now();
      r.synced = !err;
      s.phase = "close";
      return;
    case "close":
      // A pass whose writes failed is not read back: past where they stopped the file holds another pass's bytes.
      if (r.writeFailed) nextPass(s);
      else s.phase = "ropen";
      return;
    case "read":
      return readDone(k, status, err);
    case "eof":
      if (!err && status !== 0) mismatch(s); // longer than written
      s.phase = "rclose";
      return;
    case "rclose":
      r.verified = !r.writeFailed && !r.readFailed && r.readEnd >= 0 && !s.mismatches.includes(passLabel(s.p, s.pass));
      nextPass(s);
  }
}

/** A WRITE answered: advance, or give up on the pass (the file is still synced and closed). */
function writeDone(s: ThroughputState, status: number, err: string, what: string): void {
  const asked = Math.min(VFS.IO_MAX, xferLen(s) - (s.offset - s.xferAt));
  if (!err && (status === 0 || status > asked)) failed(s, what, status === 0 ? "no progress" : `wrote ${status} of ${asked}`);
  if (current(s).writeFailed) return void (s.phase = "sync");
  s.offset += status;
  if (s.offset - s.xferAt >= xferLen(s)) s.xferAt = s.offset;
  if (s.offset >= s.p.total) s.phase = "sync";
}

/** A READ answered: advance; check each transfer when it is complete. */
function readDone(k: Api, status: number, err: string): void {
  const s = k.state;
  if (err) return void (s.phase = "rclose");
  const asked = Math.min(VFS.IO_MAX, xferLen(s) - (s.offset - s.xferAt));
  if (status === 0 || status > asked) {
    mismatch(s); // shorter than written, or more than asked for
    return void (s.phase = "rclose");
  }
  s.offset += status;
  if (s.offset - s.xferAt < xferLen(s)) return;
  if (Buffer.compare(k.view(DATA_BUF, xferLen(s)), passBytes(s.p, s.pass, s.xferAt, s.offset)) !== 0) {
    mismatch(s);
    return void (s.phase = "rclose");
  }
  s.xferAt = s.offset;
  if (s.offset >= s.p.total) {
    current(s).readEnd = k.now();
    s.phase = "eof";
  }
}

const newPass = (size: number): PassRecord => ({
  size, writeStart: -1, writeEnd: -1, readStart: -1, readEnd: -1, writePaused: 0, readPaused: 0, writeRequests: 0, readRequests: 0,
  synced: false, writeFailed: false, readFailed: false, verified: false,
});

export const throughput: NativeProgram<ThroughputState> = {
  init(_label, params) {
    const p = throughputParams(params);
    return {
      p, phase: "create", pass: 0, offset: 0, xferAt: 0, fd: -1, grants: [], ops: 0, sleeping: false, sleptAt: 0, events: [], errors: [],
      mismatches: [], passes: [newPass(VFS.IO_MAX), ...p.sizes.map(newPass)], done: false,
    };
  },

  start(k) {
    next(k);
  },

  receive(k, m: Message) {
    const s = k.state;
    clientReceive(k, m, VFS.REPLY, (r) => step(k, get32(r, VFS_MSG.reply.status)), () => next(k), {
      paused: () => void (s.sleptAt = k.now()),
      woke: () => {
        const r = s.passes[s.pass];
        const slept = k.now() - s.sleptAt;
        if (r && r.writeStart >= 0 && r.writeEnd < 0) r.writePaused += slept;
        if (r && r.readStart >= 0 && r.readEnd < 0) r.readPaused += slept;
      },
    });
  },

  ipcError(k, _partner, code) {
    const s = k.state;
    for (const g of s.grants.splice(0)) k.revoke(g);
    if (s.passes[s.pass]) failed(s, describe(s), `IPC ${errorName(code)}`);
    else s.errors.push({ request: describe(s), error: `IPC ${errorName(code)}` });
    s.phase = "done";
    s.done = true;
  },
};
