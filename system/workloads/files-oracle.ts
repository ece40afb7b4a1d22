/*
 * The oracle of the `files` workload: a pure function from the workload's parameters, its final
 * state and the disk image to a verdict. It regenerates from the seed what the disk must hold
 * (planFiles, fileBytes), reads what it does hold (readTree) and checks the file system (fsck),
 * so it finds corruption the program could not see: a block changed on disk after the program
 * verified it, or written wrong while the program read its cached copy back.
 *
 *   pass     the program finished without errors, every file is on disk as written, fsck is clean;
 *   errors   the program saw errors (or did not finish), and nothing it was promised is wrong;
 *   corrupt  wrong data: the program read back wrong bytes, or a file it wrote and synced without
 *            error is wrong or missing on disk, or the FS is inconsistent though no error was seen.
 *
 * filesWorkload packages program, parameters, disk preparation (mkfs), progress and this oracle
 * as the Workload the composer and campaign runner use (workload.ts).
 */
import { createHash } from "node:crypto";
import { fsck } from "../servers/vfs/fsck.js";
import { mkfs } from "../servers/vfs/mkfs.js";
import { readTree } from "../servers/vfs/tree.js";
import { fileBytes, files, filesParams, filesService, planFiles, type FilesState } from "./files.js";
import { diskOf, type DeviceRecords, type OracleVerdict, type Workload } from "./workload.js";

export type FilesVerdict = "pass" | "errors" | "corrupt";

export interface WrongFile {
  path: string;
  expected: { size: number; sha256: string };
  /** What the disk holds at that path: a file (size, hash) or a directory. */
  found: { size: number; sha256: string } | "dir";
  /** First byte offset that differs (-1 when only the kind differs). */
  firstDifference: number;
}

export interface FilesJudgement {
  verdict: FilesVerdict;
  /** Errors the program reported ("request: ERROR"). */
  programErrors: string[];
  /** Files the program read back wrong. */
  programMismatches: string[];
  fsckProblems: string[];
  /** Files the program wrote and synced without error that the disk holds wrong. */
  wrongFiles: WrongFile[];
  /** Such files (and directories) that are not on the disk at all. */
  missingFiles: string[];
}

const digest = (b: Uint8Array): { size: number; sha256: string } => ({ size: b.length, sha256: createHash("sha256").update(b).digest("hex").slice(0, 16) });

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length === b.length && Buffer.compare(a, b) === 0) return -1; // the common case, natively
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** Judges one run of the workload with boot parameters `params`, final state `state`, on disk `image`. */
export function judgeFiles(params: string, state: FilesState | undefined, image: Uint8Array): FilesJudgement {
  const p = filesParams(params);
  const plan = planFiles(p);
  const programErrors = state ? state.errors.map((e) => `${e.request}: ${e.error}`) : ["the workload is gone"];
  if (state && !state.done) programErrors.push(`the workload did not finish (phase ${state.phase}, ${state.ops} operations)`);
  const failed = new Set(state?.failed ?? []);
  // Only what was written and synced without error is promised to be on disk.
  const promised = state?.synced ? plan.files.filter((f) => !failed.has(f.path) && !failed.has(f.path.slice(0, f.path.lastIndexOf("/")))) : [];
  const promisedDirs = state?.synced ? plan.dirs.filter((d) => !failed.has(d)) : [];
  const tree = readTree(image);
  const wrongFiles: WrongFile[] = [];
  const missingFiles = promisedDirs.filter((d) => tree[d] !== "dir");
  for (const f of promised) {
    const got = tree[f.path];
    const want = fileBytes(p.seed, f.path, 0, f.size);
    if (got === undefined) missingFiles.push(f.path);
    else if (got === "dir") wrongFiles.push({ path: f.path, expected: digest(want), found: "dir", firstDifference: -1 });
    else if (firstDifference(got, want) >= 0) wrongFiles.push({ path: f.path, expected: digest(want), found: digest(got), firstDifference: firstDifference(got, want) });
  }
  const fsckProblems = fsck(image);
  const programMismatches = [...(state?.mismatches ?? [])];
  const corrupt = programMismatches.length > 0 || wrongFiles.length > 0 || missingFiles.length > 0 || (programErrors.length === 0 && fsckProblems.length > 0);
  const verdict: FilesVerdict = corrupt ? "corrupt" : programErrors.length > 0 ? "errors" : "pass";
  return { verdict, programErrors, programMismatches, fsckProblems, wrongFiles, missingFiles };
}

/** judgeFiles as a Workload oracle: "incomplete" when the program did not finish (unless corrupt). */
export function judgeFilesRun(params: string, state: FilesState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgeFiles(params, state, diskOf(devices));
  const details = { ...j, wrongFiles: j.wrongFiles.map((f) => f.path) };
  if (j.verdict === "corrupt") {
    const what = [...j.programMismatches.map((p) => `${p} read back wrong`), ...j.wrongFiles.map((f) => `${f.path} wrong on disk`), ...j.missingFiles.map((p) => `${p} missing`)];
    return { verdict: "corrupt", summary: what.length ? what.join("; ") : `fsck: ${j.fsckProblems[0]}`, details };
  }
  if (!state || !state.done) return { verdict: "incomplete", summary: state ? `stopped in phase ${state.phase} after ${state.ops} operations` : "the workload is gone", details };
  if (j.verdict === "errors") return { verdict: "errors", summary: j.programErrors.join("; "), details };
  return { verdict: "pass", summary: `${state.verified} files written, synced, read back and found on disk; fsck clean`, details };
}

export const filesWorkload: Workload<FilesState> = {
  name: "files",
  description: "a file tree through VFS: mkdir, create and write seeded files in chunks, sync, read back and check; fsck and the disk afterwards",
  program: files,
  service: filesService(),
  servers: ["vfs"],
  drivers: ["block"],
  params: (seed) => `seed=${seed} dirs=2 files=3 maxsize=65536`,
  prepareDisk: (image) => void mkfs(image),
  progress: (s) => s.ops,
  done: (s) => s.done,
  judge: judgeFilesRun,
};
