/* The registry of workloads, by name. */
import { audioWorkload } from "./audio.js";
import { blocksWorkload } from "./blockclient.js";
import { filesWorkload } from "./files-oracle.js";
import { netWorkload } from "./net-oracle.js";
import { printWorkload } from "./print.js";
import { throughputWorkload } from "./throughput-oracle.js";
import type { Workload } from "./workload.js";

export const WORKLOADS: Record<string, Workload> = {
  audio: audioWorkload,
  blocks: blocksWorkload,
  files: filesWorkload,
  net: netWorkload,
  print: printWorkload,
  throughput: throughputWorkload,
};

export function getWorkload(name: string): { ok: true; workload: Workload } | { ok: false; error: string } {
  const w = WORKLOADS[name];
  return w ? { ok: true, workload: w } : { ok: false, error: `unknown workload "${name}" (known: ${Object.keys(WORKLOADS).join(", ")})` };
}
