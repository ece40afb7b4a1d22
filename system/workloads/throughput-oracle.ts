/*
 * The oracle of the `throughput` workload, as files-oracle.ts judges `files`: the file must hold
 * what the last pass that wrote to it wrote (passBytes, regenerated from the parameters) when
 * that pass wrote and synced without error, and the file system must be consistent
 * (disk-check.ts). Verdicts as for `files`: pass, errors (the program
 * saw errors, nothing promised is wrong), corrupt (wrong bytes read back or on disk, a promised
 * file missing, or an inconsistent FS though no error was seen), incomplete.
 *
 * The details carry the measurements (throughputOf) for reports.
 */
import { mkfs } from "../servers/vfs/mkfs.js";
import { checkDisk, corruptSummary, diskVerdict, type FileJudgement } from "./disk-check.js";
import {
  DEFAULT_SIZES, DEFAULT_TOTAL, passBytes, THROUGHPUT_PATH, throughput, throughputOf, throughputParams, throughputService, type ThroughputState,
} from "./throughput.js";
import { diskOf, type DeviceRecords, type OracleVerdict, type Workload } from "./workload.js";

export type ThroughputJudgement = FileJudgement;

/** Judges one run with boot parameters `params`, final state `state`, on disk `image`. */
export function judgeThroughput(params: string, state: ThroughputState | undefined, image: Uint8Array): ThroughputJudgement {
  const p = throughputParams(params);
  const programErrors = state ? state.errors.map((e) => `${e.request}: ${e.error}`) : ["the workload is gone"];
  if (state && !state.done) programErrors.push(`the workload did not finish (phase ${state.phase}, ${state.ops} operations)`);
  // The disk holds what the last pass that began writing wrote; it is promised if that pass wrote and synced without error.
  let last = -1;
  for (let i = 0; i < (state?.passes.length ?? 0); i++) if (state!.passes[i].writeStart >= 0) last = i;
  const promised = state && last >= 0 && state.passes[last].synced && !state.passes[last].writeFailed ? [{ path: THROUGHPUT_PATH }] : [];
  const check = checkDisk(image, [], promised, () => passBytes(p, last, 0, p.total));
  const programMismatches = [...(state?.mismatches ?? [])];
  return { verdict: diskVerdict(programErrors, programMismatches, check), programErrors, programMismatches, ...check };
}

/** judgeThroughput as a Workload oracle: "incomplete" when the program did not finish (unless corrupt). */
export function judgeThroughputRun(params: string, state: ThroughputState | undefined, devices: DeviceRecords): OracleVerdict {
  const j = judgeThroughput(params, state, diskOf(devices));
  const details = { ...j, wrongFiles: j.wrongFiles.map((f) => f.path), throughput: state ? throughputOf(state) : [] };
  if (j.verdict === "corrupt") return { verdict: "corrupt", summary: corruptSummary(j.programMismatches, j), details };
  if (!state || !state.done) return { verdict: "incomplete", summary: state ? `stopped in phase ${state.phase} after ${state.ops} operations` : "the workload is gone", details };
  if (j.verdict === "errors") return { verdict: "errors", summary: j.programErrors.join("; "), details };
  const sizes = state.passes.slice(1).filter((r) => r.verified).length;
  return { verdict: "pass", summary: `${state.p.total} bytes written, synced and read back in ${sizes} transfer sizes; the file on disk; fsck clean`, details };
}

export const throughputWorkload: Workload<ThroughputState> = {
  name: "throughput",
  description: "after the MINIX 3 paper's Figure 3: per transfer size, write a seeded file, sync, read it back and check; cycles per phase; fsck and the disk afterwards",
  program: throughput,
  service: throughputService(),
  servers: ["vfs"],
  drivers: ["block"],
  params: (seed) => `seed=${seed} sizes=${DEFAULT_SIZES.join(",")} total=${DEFAULT_TOTAL}`,
  prepareDisk: (image) => void mkfs(image),
  progress: (s) => s.ops,
  done: (s) => s.done,
  judge: judgeThroughputRun,
};
