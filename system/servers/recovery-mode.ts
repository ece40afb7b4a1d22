/*
 * How a server meets a driver that failed and came back: the clients' side of recovery. The
 * servers stand for the kernel's subsystems above the drivers; the build decides their mode
 * (kernel/policy.ts clientRecovery) and composition passes it as the boot parameter
 * `recovery=restart|shadow|reissue` (none: minix). Each server keeps it in its RAM (VFS G.recovery,
 * NET G.recovery), read there at every decision; 0 is minix, so a system that names no mode has
 * the RAM it always had.
 *
 *   minix    MINIX 3's recovery. Block (vfs/bdev.ts): wait for the driver's announcement, reopen,
 *            reissue the I/O in flight (libbdev). Network (net/driver.ts): forget what was
 *            outstanding (frames in flight lost; the stream protocol retransmits), replay
 *            NDEV_INIT + NDEV_CONF, post the receives again. Character (vfs/cdev.ts): EIO for
 *            the request in flight and every later one on the open files; the program reopens.
 *   restart  Nooks without shadow drivers (Swift et al., OSDI 2004 §1: the restarted driver has
 *            lost its state, "causing applications to receive erroneous results"). Block: the
 *            I/O in flight fails with EIO at once instead of being reissued (later requests wait
 *            for the reloaded driver as in minix). Network and character: as minix.
 *   shadow   Nooks with a shadow driver per class (OSDI 2004 §3-4): passive, it logs what
 *            rebuilds the driver's state and the requests in flight; on a failure it holds them,
 *            waits for the reloaded driver, replays, and goes passive again, so applications do
 *            not see a transient fail-stop failure. Block: minix's libbdev already does exactly
 *            this (vfs/bdev.ts). Network: as minix, but the frames outstanding at the failed
 *            driver are sent to the new one before new traffic (net/driver.ts replaySends).
 *            Character: vfs/shadow.ts — the configuration ioctls logged per device, the open
 *            files reopened, the log replayed and the held request sent again.
 *   reissue  A driver VM's translation modules (LeVasseur et al., OSDI 2004 §3): they forward
 *            the clients' requests to the VM and, when it is rebooted, send what was pending
 *            again; the rebooted driver starts from its defaults. Block: as minix (reissued).
 *            Network: as shadow (outstanding frames sent again). Character: as shadow — held,
 *            files reopened, request reissued — with nothing logged, so no configuration is
 *            replayed (the driver-VM build whose translation modules also replay it uses shadow).
 */

export const MODE_MINIX = 0;
export const MODE_RESTART = 1;
export const MODE_SHADOW = 2;
export const MODE_REISSUE = 3;

const MODES: Record<string, number> = { minix: MODE_MINIX, restart: MODE_RESTART, shadow: MODE_SHADOW, reissue: MODE_REISSUE };

/** The mode holds requests at a failed driver and sends them again to its successor (shadow, reissue). */
export const holdsRequests = (mode: number): boolean => mode === MODE_SHADOW || mode === MODE_REISSUE;

/** The mode named by a server's `recovery=` parameter (from its parsed params); minix when absent or unknown. */
export const recoveryMode = (value: string | undefined): number => MODES[value ?? "minix"] ?? MODE_MINIX;

/** The mode's name, for logs and inspection (an unknown value read from RAM is minix's behaviour: the else path). */
export const modeName = (mode: number): string => Object.keys(MODES).find((name) => MODES[name] === mode) ?? "minix";
