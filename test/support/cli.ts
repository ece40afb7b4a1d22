/* Runs the bulkhead CLI from its sources (tsx) in a child process, as a user would. */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bulkhead <args>` in `cwd` (the repository root unless given), without debug stack traces. */
export function bulkhead(args: string[], cwd = ROOT): Run {
  const r = spawnSync(process.execPath, ["--import", TSX, join(ROOT, "bin/bulkhead.ts"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, BULKHEAD_DEBUG: "" },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
