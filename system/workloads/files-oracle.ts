/*
 * The oracle of the `files` workload: a pure function from the workload's parameters, its final
 * state and the disk image to a verdict. It regenerates from the seed what the disk must hold
 * (planFiles, fileBytes), reads what it does hold and checks the file system (disk-check.ts),
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
import { mkfs } from "../servers/vfs/mkfs.js";
import { checkDisk, corruptSummary, diskVerdict, type FileJudgement } from "./disk-check.js";
import { fileBytes, files, filesParams, filesService, planFiles, type FilesState } from "./files.js";
import { diskOf, type DeviceRecords, type OracleVerdict, type Workload } from "./workload.js";

export type { WrongFile } from "./disk-check.js";
export type FilesJudgement = FileJudgement;
export type FilesVerdict = FileJudgement["verdict"];

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
  const sizes = new Map(plan.files.map((f) => [f.path, f.size]));
  const { wrongFiles, missingFiles, fsckProblems } = checkDisk(image, promisedDirs, promised, (path) => fileBytes(p.seed, path, 0, sizes.get(path)!));
  const programMismatches = [...(state?.mismatches ?? [])];
  const verdict: FilesVerdict = diskVerdict(programErrors, programMismatches, { wrongFiles, missingFiles, fsckProblems });
  return { verdict, programErrors, programMismatches, fsckProblems, wrongFiles, missingFiles };
}

/** judgeFiles as a Workload oracle: "incomplete" when the program did not finish (unless corrupt). */
export function judgeFilesRun(params: string, state: FilesState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgeFiles(params, state, diskOf(devices));
  const details = { ...j, wrongFiles: j.wrongFiles.map((f) => f.path) };
  if (j.verdict === "corrupt") return { verdict: "corrupt", summary: corruptSummary(j.programMismatches, j), details };
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
