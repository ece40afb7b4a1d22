/* Test helper: a catalog driver's service entry, with fields replaced (another label, IPC targets, parameters). */
import { driverEntry } from "../../system/drivers/catalog.js";
import type { ServiceConf } from "../../system/kernel/service.js";

export function driverConf(name: string, change: Partial<ServiceConf> = {}): ServiceConf {
  const e = driverEntry(name);
  if (!e.ok) throw new Error(e.error);
  return { ...e.entry.service, ...change };
}
