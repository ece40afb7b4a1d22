/*
 * The servers a workload can ask for, by name. DS and RS, which every system has, are started by
 * composition itself (DS first; RS as the recovery agent, see recovery.ts). Each entry lives
 * beside its server.
 */
import type { ServerEntry } from "./entry.js";
import { netServer } from "./net/net.js";
import { vfsServer } from "./vfs/vfs.js";

export type { ServerEntry } from "./entry.js";

export const SERVERS: Record<string, ServerEntry> = {
  vfs: vfsServer,
  inet: netServer,
};
