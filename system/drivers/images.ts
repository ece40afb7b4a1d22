/*
 * The built driver images (system/drivers/images/<name>.elf), found from the repository root
 * so that both the TypeScript sources and the compiled dist/ tree load the same files.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bulkhead: cannot find the repository root (package.json) above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** system/drivers: one folder per driver (its sources and driver.json). */
export const DRIVERS_DIR = join(repoRoot(), "system", "drivers");
export const IMAGES_DIR = join(DRIVERS_DIR, "images");

/** The ELF bytes of driver image `name`, or an error naming the missing file. */
export function loadImage(name: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const path = join(IMAGES_DIR, `${name}.elf`);
  if (!/^[a-z0-9_-]+$/.test(name) || !existsSync(path)) return { ok: false, error: `no driver image "${name}" (expected ${path}; run npm run build:drivers)` };
  return { ok: true, bytes: new Uint8Array(readFileSync(path)) };
}
