/*
 * What the oracles of the file workloads (files-oracle.ts, throughput-oracle.ts) ask of a disk
 * image: are the files a program was promised there with the right bytes, are its directories
 * there, and is the file system consistent (fsck)? And the verdict those answers give.
 */
import { createHash } from "node:crypto";
import { fsck } from "../servers/vfs/fsck.js";
import { readTree } from "../servers/vfs/tree.js";

export interface WrongFile {
  path: string;
  expected: { size: number; sha256: string };
  /** What the disk holds at that path: a file (size, hash) or a directory. */
  found: { size: number; sha256: string } | "dir";
  /** First byte offset that differs (-1 when only the kind differs). */
  firstDifference: number;
}

export interface DiskCheck {
  /** Promised files the disk holds wrong. */
  wrongFiles: WrongFile[];
  /** Promised directories and files that are not on the disk at all. */
  missingFiles: string[];
  fsckProblems: string[];
}

/** A file workload oracle's judgement: the disk's check and what the program itself reported. */
export interface FileJudgement extends DiskCheck {
  verdict: "pass" | "errors" | "corrupt";
  /** Errors the program reported ("request: ERROR"). */
  programErrors: string[];
  /** What the program read back wrong (files, or passes). */
  programMismatches: string[];
}

const digest = (b: Uint8Array): { size: number; sha256: string } => ({ size: b.length, sha256: createHash("sha256").update(b).digest("hex").slice(0, 16) });

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length === b.length && Buffer.compare(a, b) === 0) return -1; // the common case, natively
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/**
 * Checks `image` against the promised directories `dirs` and `files`, the bytes of each from
 * `contents` (asked only for promised files, so the caller regenerates nothing else).
 */
export function checkDisk(image: Uint8Array, dirs: readonly string[], files: ReadonlyArray<{ path: string }>, contents: (path: string) => Uint8Array): DiskCheck {
  const tree = readTree(image);
  const wrongFiles: WrongFile[] = [];
  const missingFiles = dirs.filter((d) => tree[d] !== "dir");
  for (const f of files) {
    const got = tree[f.path];
    const want = contents(f.path);
    if (got === undefined) missingFiles.push(f.path);
    else if (got === "dir") wrongFiles.push({ path: f.path, expected: digest(want), found: "dir", firstDifference: -1 });
    else if (firstDifference(got, want) >= 0) wrongFiles.push({ path: f.path, expected: digest(want), found: digest(got), firstDifference: firstDifference(got, want) });
  }
  return { wrongFiles, missingFiles, fsckProblems: fsck(image) };
}

/**
 * pass: no errors, nothing wrong; errors: the program saw errors (or did not finish) and
 * nothing it was promised is wrong; corrupt: it read back wrong bytes, a promised file or
 * directory is wrong or missing, or the FS is inconsistent though the program saw no error.
 */
export function diskVerdict(programErrors: readonly string[], programMismatches: readonly string[], c: DiskCheck): FileJudgement["verdict"] {
  const corrupt = programMismatches.length > 0 || c.wrongFiles.length > 0 || c.missingFiles.length > 0 || (programErrors.length === 0 && c.fsckProblems.length > 0);
  return corrupt ? "corrupt" : programErrors.length > 0 ? "errors" : "pass";
}

/** One line naming what is corrupt (for OracleVerdict.summary). */
export function corruptSummary(programMismatches: readonly string[], c: DiskCheck): string {
  const what = [...programMismatches.map((p) => `${p} read back wrong`), ...c.wrongFiles.map((f) => `${f.path} wrong on disk`), ...c.missingFiles.map((p) => `${p} missing`)];
  return what.length ? what.join("; ") : `fsck: ${c.fsckProblems[0]}`;
}
