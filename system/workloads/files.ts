/*
 * The `files` workload: a user program that exercises VFS (and, under it, the disk driver). It
 * makes `dirs` directories with `files` files each, writes every file in chunks through a grant
 * on its own buffer, SYNCs, then reads every file back and checks every byte. Sizes and
 * contents come from the seed (planFiles, fileBytes), so the oracle can regenerate what the disk
 * should hold. Its state — phase, operations done, events, errors, mismatching files, done — is
 * plain data for watchdogs (is it making progress?) and oracles (oracle.ts).
 *
 * Parameters: seed=<n> (1) dirs=<n> (2) files=<n per dir> (3) maxsize=<bytes> (65536)
 *             chunk=<bytes per READ/WRITE, at most VFS.IO_MAX> (6000)
 */
import seedrandom from "seedrandom";
import type { ServiceConf } from "../kernel/service.js";
import { errorName, VFS, VFS_MSG } from "../kernel/abi.js";
import { get32, newMessage, type Message } from "../kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../kernel/native.js";
import { USER_Q } from "../kernel/params.js";
import { clientReceive, noteReply, dataRequest, num, parseParams, pathRequest, vfsEndpoint, type VfsClientState } from "./vfs-client.js";

export interface FilesParams {
  seed: number;
  dirs: number;
  files: number;
  maxsize: number;
  chunk: number;
}

export interface PlannedFile {
  path: string;
  size: number;
}

export interface FilesPlan {
  dirs: string[];
  files: PlannedFile[];
}

type Phase = "mkdir" | "create" | "write" | "close" | "sync" | "open" | "read" | "rclose" | "done";

export interface FilesState extends VfsClientState {
  p: FilesParams;
  plan: FilesPlan;
  phase: Phase;
  /** Directory (mkdir) or file (other phases) being worked on. */
  index: number;
  /** Bytes of the current file written or read so far. */
  offset: number;
  /** Files (and directories) an error touched: their contents on disk are not promised. */
  failed: string[];
  /** Files read back correct. */
  verified: number;
  /** SYNC succeeded. */
  synced: boolean;
}

const PATH_BUF = NATIVE_HEAP;
const DATA_BUF = NATIVE_HEAP + 0x1000;

/** The workload's parameters from its boot parameter string. */
export function filesParams(params: string): FilesParams {
  const p = parseParams(params);
  return {
    seed: num(p.seed, 1),
    dirs: Math.max(1, num(p.dirs, 2)),
    files: Math.max(0, num(p.files, 3)),
    maxsize: Math.max(0, num(p.maxsize, 65536)),
    chunk: Math.max(1, Math.min(VFS.IO_MAX, num(p.chunk, 6000))),
  };
}

/**
 * The directories and files (with sizes) for parameters p: sizes drawn from seedrandom, the
 * first file empty and the second of the maximum size (past the direct blocks when maxsize is).
 */
export function planFiles(p: FilesParams): FilesPlan {
  const rng = seedrandom(`files:${p.seed}`);
  const dirs: string[] = [];
  const files: PlannedFile[] = [];
  for (let d = 0; d < p.dirs; d++) {
    dirs.push(`/d${d}`);
    for (let f = 0; f < p.files; f++) {
      const i = d * p.files + f;
      const r = Math.floor(rng() * (p.maxsize + 1));
      files.push({ path: `/d${d}/f${f}`, size: i === 0 ? 0 : i === 1 ? p.maxsize : r });
    }
  }
  return { dirs, files };
}

/**
 * Generated 4 KiB pieces, memoised: the function is pure, and campaigns ask for the same
 * pieces in every experiment (write, read-back check, oracle). A host-side cache only, bounded.
 */
const pieceCache = new Map<string, Uint8Array>();
const PIECE_CACHE_MAX = 1024;

function pieceOf(seed: number, path: string, n: number): Uint8Array {
  const key = `${seed}:${path}:${n}`;
  let bytes = pieceCache.get(key);
  if (!bytes) {
    const rng = seedrandom(key);
    bytes = new Uint8Array(4096);
    const words = new DataView(bytes.buffer);
    for (let i = 0; i < 4096; i += 4) words.setInt32(i, rng.int32(), true);
    if (pieceCache.size >= PIECE_CACHE_MAX) pieceCache.delete(pieceCache.keys().next().value!);
    pieceCache.set(key, bytes);
  }
  return bytes;
}

/** Bytes [from, to) of the file at `path` for `seed` (4 KiB pieces, each from its own seeded stream). */
export function fileBytes(seed: number, path: string, from: number, to: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, to - from));
  fileBytesInto(out, seed, path, from, to);
  return out;
}

/** Writes fileBytes(seed, path, from, to) into `out` (at least to - from bytes long: a program's buffer, say), with no array made. */
export function fileBytesInto(out: Uint8Array, seed: number, path: string, from: number, to: number): void {
  for (let piece = Math.floor(from / 4096); piece * 4096 < to; piece++) {
    const bytes = pieceOf(seed, path, piece);
    const lo = Math.max(from, piece * 4096);
    const hi = Math.min(to, piece * 4096 + 4096);
    out.set(bytes.subarray(lo - piece * 4096, hi - piece * 4096), lo - from);
  }
}

/** Whether `got` is fileBytes(seed, path, from, to) (same length, same bytes), compared piece by piece with no array made. */
export function fileBytesEqual(got: Uint8Array, seed: number, path: string, from: number, to: number): boolean {
  if (got.length !== Math.max(0, to - from)) return false;
  for (let piece = Math.floor(from / 4096); piece * 4096 < to; piece++) {
    const bytes = pieceOf(seed, path, piece);
    const lo = Math.max(from, piece * 4096);
    const hi = Math.min(to, piece * 4096 + 4096);
    if (Buffer.compare(got.subarray(lo - from, hi - from), bytes.subarray(lo - piece * 4096, hi - piece * 4096)) !== 0) return false;
  }
  return true;
}

/** The service-table entry for the workload (composition adds the drivers it may call and its parameters). */
export function filesService(): ServiceConf {
  return { label: "files", program: { native: "files" }, role: "user", priority: USER_Q, ipcTo: ["vfs", "ds"], kernelCalls: [], io: [], irqs: [] };
}

type Api = NativeApi<FilesState>;

const current = (s: FilesState): PlannedFile => s.plan.files[s.index];

/** Issues the request of the current phase (skipping phases with nothing to do). */
function next(k: Api): void {
  const s = k.state;
  for (;;) {
    if (s.phase === "mkdir" && s.index >= s.plan.dirs.length) setPhase(s, "create");
    else if ((s.phase === "create" || s.phase === "open") && s.index >= s.plan.files.length) setPhase(s, s.phase === "create" ? "sync" : "done");
    else if (s.phase === "write" && s.offset >= current(s).size) s.phase = "close";
    else break;
  }
  const f = current(s);
  switch (s.phase) {
    case "mkdir": return pathRequest(k, s.grants, PATH_BUF, VFS.MKDIR, s.plan.dirs[s.index]);
    case "create": return pathRequest(k, s.grants, PATH_BUF, VFS.CREATE, f.path);
    case "open": return pathRequest(k, s.grants, PATH_BUF, VFS.OPEN, f.path);
    case "write": {
      const n = Math.min(s.p.chunk, f.size - s.offset);
      fileBytesInto(k.view(DATA_BUF, n), s.p.seed, f.path, s.offset, s.offset + n);
      return dataRequest(k, s.grants, VFS.WRITE, s.fd, DATA_BUF, n);
    }
    case "read": return dataRequest(k, s.grants, VFS.READ, s.fd, DATA_BUF, s.p.chunk);
    case "close":
    case "rclose": return void k.sendrec(vfsEndpoint(k), newMessage(VFS.CLOSE, { [VFS_MSG.request.fd]: s.fd }));
    case "sync": return void k.sendrec(vfsEndpoint(k), newMessage(VFS.SYNC));
    case "done": s.done = true;
  }
}

function setPhase(s: FilesState, phase: Phase): void {
  s.phase = phase;
  s.index = 0;
  s.offset = 0;
}

/** What the request just answered was, for events and errors. */
function describe(s: FilesState): string {
  const op = { mkdir: "MKDIR", create: "CREATE", write: "WRITE", close: "CLOSE", sync: "SYNC", open: "OPEN", read: "READ", rclose: "CLOSE", done: "" }[s.phase];
  if (s.phase === "mkdir") return `${op} ${s.plan.dirs[s.index]}`;
  if (s.phase === "sync" || s.phase === "done") return op;
  return `${op} ${current(s).path}${s.phase === "write" || s.phase === "read" ? ` @${s.offset}` : ""}`;
}

function failed(s: FilesState, request: string, error: string, path?: string): void {
  s.errors.push({ request, error });
  if (path && !s.failed.includes(path)) s.failed.push(path);
}

/** Handles the reply to the current phase's request and moves to the next step. */
function step(k: Api, status: number): void {
  const s = k.state;
  const what = describe(s);
  noteReply(k, what, status);
  const err = status < 0 ? errorName(status) : "";
  const path = s.phase === "mkdir" ? s.plan.dirs[s.index] : s.phase === "sync" ? undefined : current(s)?.path;
  if (err) failed(s, what, err, path);
  switch (s.phase) {
    case "mkdir":
      s.index++;
      return;
    case "create":
    case "open":
      if (err) s.index++;
      else {
        s.fd = status;
        s.phase = s.phase === "create" ? "write" : "read";
        s.offset = 0;
      }
      return;
    case "write":
      if (!err && status === 0 && current(s).size > s.offset) failed(s, what, "no progress", path);
      if (err || status === 0) s.phase = "close";
      else s.offset += status;
      if (s.offset >= current(s).size) s.phase = "close";
      return;
    case "read":
      return readDone(k, status, err);
    case "close":
    case "rclose":
      s.phase = s.phase === "close" ? "create" : "open";
      s.index++;
      return;
    case "sync":
      s.synced = !err;
      setPhase(s, "open");
  }
}

/** A READ answered: compare the bytes, or end the file at EOF (checking its length). */
function readDone(k: Api, status: number, err: string): void {
  const s = k.state;
  const f = current(s);
  if (err) return void (s.phase = "rclose");
  // A file an error touched may be short; its bytes must still be right.
  const promised = !s.failed.includes(f.path);
  if (status === 0) {
    if (promised && s.offset !== f.size) mismatch(s, f.path);
    else if (promised) s.verified++;
    s.phase = "rclose";
    return;
  }
  const got = k.view(DATA_BUF, status);
  if (s.offset + status > f.size || !fileBytesEqual(got, s.p.seed, f.path, s.offset, Math.min(f.size, s.offset + status))) {
    mismatch(s, f.path);
    s.phase = "rclose";
    return;
  }
  s.offset += status;
}

function mismatch(s: FilesState, path: string): void {
  if (!s.mismatches.includes(path)) s.mismatches.push(path);
}

export const files: NativeProgram<FilesState> = {
  init(_label, params) {
    const p = filesParams(params);
    return {
      p, plan: planFiles(p), phase: "mkdir", index: 0, offset: 0, fd: -1, grants: [], ops: 0, sleeping: false, events: [],
      errors: [], failed: [], mismatches: [], verified: 0, synced: false, done: false,
    };
  },

  start(k) {
    next(k);
  },

  receive(k, m: Message) {
    clientReceive(k, m, VFS.REPLY, (r) => step(k, get32(r, VFS_MSG.reply.status)), () => next(k));
  },

  ipcError(k, _partner, code) {
    const s = k.state;
    for (const g of s.grants.splice(0)) k.revoke(g);
    failed(s, describe(s), `IPC ${errorName(code)}`);
    s.phase = "done";
    s.done = true;
  },
};
