/*
 * The registry of kernel builds and their fingerprints. A fingerprint (hash of the build's
 * data and of the images it runs) identifies exactly what produced a result.
 */
import { createHash } from "node:crypto";
import { minix3Iommu, minix3NoChecks, minix3NoRestart, minix3NoState, minix3Sanity, monolithicNoChecks, monolithicOops } from "./ablations.js";
import { minix3 } from "./minix3.js";
import { monolithic } from "./monolithic.js";
import { nooks, nooksShadow } from "./nooks.js";
import { paravirt, paravirtIoBitmap, paravirtIommu, paravirtReplay } from "./paravirt.js";
import { singularity, singularityNoRestart } from "./singularity.js";
import type { Build } from "./types.js";

export type { Build } from "./types.js";
export type { ServiceConf } from "../kernel/service.js";

export const BUILDS: Record<string, Build> = {
  minix3,
  monolithic,
  nooks,
  [nooksShadow.name]: nooksShadow,
  paravirt,
  [paravirtIommu.name]: paravirtIommu,
  [paravirtReplay.name]: paravirtReplay,
  [paravirtIoBitmap.name]: paravirtIoBitmap,
  singularity,
  [singularityNoRestart.name]: singularityNoRestart,
  [minix3NoRestart.name]: minix3NoRestart,
  [minix3NoState.name]: minix3NoState,
  [minix3NoChecks.name]: minix3NoChecks,
  [minix3Iommu.name]: minix3Iommu,
  [minix3Sanity.name]: minix3Sanity,
  [monolithicNoChecks.name]: monolithicNoChecks,
  [monolithicOops.name]: monolithicOops,
};

/** The build named `name`, or an error naming the known ones. */
export function getBuild(name: string): { ok: true; build: Build } | { ok: false; error: string } {
  const build = BUILDS[name];
  if (build) return { ok: true, build };
  return { ok: false, error: `unknown build "${name}" (known: ${Object.keys(BUILDS).join(", ")})` };
}

/** sha256 (hex, first 16 chars) over the build's data, the images (name → bytes) it boots and their manifests' channels, if any. */
export function fingerprint(build: Build, images: Record<string, Uint8Array>, manifests: Record<string, unknown> = {}): string {
  const h = createHash("sha256");
  h.update(JSON.stringify(build));
  for (const name of Object.keys(manifests).sort()) h.update(`${name}:${JSON.stringify(manifests[name])}`);
  for (const name of Object.keys(images).sort()) {
    h.update(name);
    h.update(images[name]);
  }
  return h.digest("hex").slice(0, 16);
}
