/*
 * Driver classes: what a client (a server or a workload) asks for when it needs a driver, and
 * how a driver of the class says it is up. A driver announces itself in DS under
 * `<prefix><label>` (MINIX: "drv.blk.<label>" for block drivers, "drv.net.<label>" for network
 * drivers, "drv.chr.<label>" for character drivers); composition waits for that key before the system counts as booted, and clients
 * subscribe to the prefix to learn of restarts.
 */

export interface DriverClass {
  /** The DS key prefix its drivers announce themselves under. */
  announce: string;
  /** The driver a system gets for this class when a campaign names none. */
  defaultDriver: string;
  /**
   * A character-device class: the name of its device file, /dev/<node> (MINIX's MAKEDEV names:
   * /dev/audio, /dev/lp), through which VFS serves it.
   */
  node?: string;
}

/** What every character driver announces itself under (libsys chardriver.c writes it too). */
export const CHAR_ANNOUNCE = "drv.chr.";

export const DRIVER_CLASSES: Record<string, DriverClass> = {
  block: { announce: "drv.blk.", defaultDriver: "at_wini" },
  net: { announce: "drv.net.", defaultDriver: "rtl8139" },
  audio: { announce: CHAR_ANNOUNCE, defaultDriver: "es1371", node: "audio" },
  printer: { announce: CHAR_ANNOUNCE, defaultDriver: "printer", node: "lp" },
};

/** The DS key under which driver `label` of class `cls` announces itself (unknown classes: "drv.<class>."). */
export const announceKey = (cls: string, label: string): string => `${DRIVER_CLASSES[cls]?.announce ?? `drv.${cls}.`}${label}`;
