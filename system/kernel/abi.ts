/*
 * The guest ABI, TypeScript side: the mirror of system/drivers/include/abi.h (endpoints, IPC
 * operations, kernel calls, message layout, grants, protocols, error codes). The numbers follow
 * MINIX 3 where MINIX has one. test/kernel/abi.test.ts checks both files agree.
 */

export const ENDPOINT_GENERATION_SHIFT = 15;
export const ANY = 0x7ace;
export const NONE = 0x6ace;
export const SELF = 0x8ace;
export const IDLE = -4;
export const CLOCK = -3;
export const SYSTEM = -2;
export const KERNEL = -1;
export const HARDWARE = KERNEL;
export const RS_PROC_NR = 0;
export const DS_PROC_NR = 1;
export const VFS_PROC_NR = 2;

export const IPC_SEND = 1;
export const IPC_RECEIVE = 2;
export const IPC_SENDREC = 3;
export const IPC_NOTIFY = 4;
export const IPC_SENDNB = 5;
export const IPC_KERNEL_CALL = 6;

export const MESSAGE_SIZE = 64;
export const MESS_WORDS = 14;
/** Byte offsets in a message. Payload word i is at M_PAYLOAD + 4 * i. */
export const M_SOURCE = 0;
export const M_TYPE = 4;
export const M_PAYLOAD = 8;
export const NOTIFY_MESSAGE = 0x1000;

export const KERNEL_CALL = 0x600;
export const SYS_PRIVCTL = KERNEL_CALL + 4;
export const SYS_UMAP = KERNEL_CALL + 14;
export const SYS_IRQCTL = KERNEL_CALL + 19;
export const SYS_DEVIO = KERNEL_CALL + 21;
export const SYS_SDEVIO = KERNEL_CALL + 22;
export const SYS_VDEVIO = KERNEL_CALL + 23;
export const SYS_SETALARM = KERNEL_CALL + 24;
export const SYS_GETINFO = KERNEL_CALL + 26;
export const SYS_SAFECOPYFROM = KERNEL_CALL + 31;
export const SYS_SAFECOPYTO = KERNEL_CALL + 32;
export const SYS_SETGRANT = KERNEL_CALL + 34;
export const SYS_DIAGCTL = KERNEL_CALL + 44;
export const SYS_EXIT = KERNEL_CALL + 53;
export const NR_SYS_CALLS = 64;

export const _DIO_INPUT = 0x001;
export const _DIO_OUTPUT = 0x002;
export const _DIO_BYTE = 0x010;
export const _DIO_WORD = 0x020;
export const _DIO_LONG = 0x030;
export const DIO_INPUT_BYTE = _DIO_INPUT | _DIO_BYTE;
export const DIO_INPUT_WORD = _DIO_INPUT | _DIO_WORD;
export const DIO_INPUT_LONG = _DIO_INPUT | _DIO_LONG;
export const DIO_OUTPUT_BYTE = _DIO_OUTPUT | _DIO_BYTE;
export const DIO_OUTPUT_WORD = _DIO_OUTPUT | _DIO_WORD;
export const DIO_OUTPUT_LONG = _DIO_OUTPUT | _DIO_LONG;
export const VDEVIO_MAX = 16;

export const IRQ_SETPOLICY = 1;
export const IRQ_RMPOLICY = 2;
export const IRQ_ENABLE = 3;
export const IRQ_DISABLE = 4;
export const IRQ_REENABLE = 0x001;

export const GET_WHOAMI = 1;
export const GET_UPTIME = 2;
export const GET_PARAMS = 3;
export const GET_HZ = 4;

export const SYS_PRIV_ALLOW = 1;

export const GRANT_INVALID = -1;
export const CPF_READ = 0x001;
export const CPF_WRITE = 0x002;
export const CPF_USED = 0x100;
export const CPF_VALID = 0x200;
export const GRANT_ENTRY_SIZE = 16;

export const BDEV_RQ_BASE = 0x400;
export const BDEV_OPEN = BDEV_RQ_BASE + 0;
export const BDEV_CLOSE = BDEV_RQ_BASE + 1;
export const BDEV_READ = BDEV_RQ_BASE + 2;
export const BDEV_WRITE = BDEV_RQ_BASE + 3;
export const BDEV_REPLY = BDEV_RQ_BASE + 0x80;
export const BDEV_R_BIT = 0x01;
export const BDEV_W_BIT = 0x02;

// Character-device protocol and audio ioctls: see abi.h.
export const CDEV_RQ_BASE = 0x500;
export const CDEV_OPEN = CDEV_RQ_BASE + 0;
export const CDEV_CLOSE = CDEV_RQ_BASE + 1;
export const CDEV_READ = CDEV_RQ_BASE + 2;
export const CDEV_WRITE = CDEV_RQ_BASE + 3;
export const CDEV_IOCTL = CDEV_RQ_BASE + 4;
export const CDEV_REPLY = CDEV_RQ_BASE + 0x80;
export const CDEV_R_BIT = 0x01;
export const CDEV_W_BIT = 0x02;
export const DSPIORATE = 0x01;
export const DSPIOSTEREO = 0x02;
export const DSPIOBITS = 0x03;
export const DSPIOSIZE = 0x04;
export const MIXIOSETVOLUME = 0x10;
export const MIXIOGETVOLUME = 0x11;

// Network-driver protocol: see abi.h for the requests and their replies.
export const NDEV_RQ_BASE = 0xd00;
export const NDEV_INIT = NDEV_RQ_BASE + 0;
export const NDEV_CONF = NDEV_RQ_BASE + 1;
export const NDEV_SEND = NDEV_RQ_BASE + 2;
export const NDEV_RECV = NDEV_RQ_BASE + 3;
export const NDEV_GETSTAT = NDEV_RQ_BASE + 4;
export const NDEV_REPLY_BIT = 0x80;
export const NDEV_MODE_UNICAST = 0x01;
export const NDEV_MODE_BROADCAST = 0x02;
export const NDEV_MODE_MULTICAST = 0x04;
export const NDEV_MODE_PROMISC = 0x08;
export const NDEV_FRAME_MIN = 60;
export const NDEV_FRAME_MAX = 1514;
export const NDEV_PENDING_MAX = 8;
/** ndev_stat: ten 32-bit counters, in abi.h's order. */
export const NDEV_STAT_FIELDS = [
  "rxFrames", "rxBytes", "rxCrcErrors", "rxSizeErrors", "rxOverruns", "txFrames", "txBytes", "txErrors", "txTimeouts", "resets",
] as const;

export const DS_RQ_BASE = 0xb00;
export const DS_PUBLISH = DS_RQ_BASE + 0;
export const DS_RETRIEVE = DS_RQ_BASE + 1;
export const DS_SUBSCRIBE = DS_RQ_BASE + 2;
export const DS_CHECK = DS_RQ_BASE + 3;
export const DS_DELETE = DS_RQ_BASE + 4;
export const DS_DROP_OWNER = DS_RQ_BASE + 5;
export const DS_REPLY = DS_RQ_BASE + 0x80;
export const DSF_OVERWRITE = 0x01;
export const DS_DRIVER_UP = 1;

export const OK = 0;
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOTTY = 25;
export const ENOSPC = 28;
export const EPIPE = 32;
export const ENOSYS = 71;
export const ECONNRESET = 104;
export const ENOTCONN = 107;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const ERESTART = 200;
export const ENOTREADY = 201;
export const EDEADSRCDST = 202;
export const EBADSRCDST = 203;
export const ECALLDENIED = 210;
export const ELOCKED = 208;
export const ETRAPDENIED = 211;
export const EBADREQUEST = 212;

export const DRIVER_TEXT_BASE = 0x0040_0000;
export const DRIVER_STACK_TOP = 0x0080_0000;
export const DRIVER_STACK_SIZE = 0x1_0000;

/** Message field offsets (bytes from the start of the message) per message kind. */
export const MSG = {
  notify: { timestampLo: 8, timestampHi: 12, interrupts: 16 },
  bdev: { minor: 8, posLo: 12, posHi: 16, count: 20, grant: 24, id: 28, flags: 32, access: 36 },
  bdevReply: { status: 8, id: 12 },
  devio: { port: 8, value: 12, request: 16 },
  vdevio: { vecAddr: 8, vecSize: 12, request: 16 },
  sdevio: { port: 8, request: 12, address: 16, count: 20 },
  safecopy: { endpt: 8, grant: 12, offset: 16, address: 20, bytes: 24 },
  irqctl: { request: 8, irq: 12, policy: 16, hookId: 20 },
  setalarm: { expLo: 8, expHi: 12, absTime: 16, leftLo: 20, leftHi: 24 },
  getinfo: { request: 8, address: 12, size: 16, endpt: 20 },
  umap: { vaddr: 8, size: 12, paddr: 16 },
  setgrant: { address: 8, size: 12 },
  diag: { address: 8, size: 12 },
  exit: { status: 8 },
  privctl: { endpt: 8, request: 12, arg: 16 },
  ds: { key: 8, keyLen: 32, value: 40, flags: 44 },
  ndev: { id: 8, grant: 12, count: 16, mode: 20 },
  ndevReply: { status: 8, id: 12, link: 16, hwaddrLo: 20, hwaddrHi: 24 },
  cdev: { minor: 8, id: 12, grant: 16, count: 20, access: 24, request: 28, arg: 32 },
  cdevReply: { status: 8, id: 12, value: 16 },
} as const;

/** whoami_info: endpt (4), priv_flags (4), label (16). */
export const WHOAMI_SIZE = 24;

/** Names of the error codes, for logs and reports. */
export const errorName = (code: number): string =>
  ({ 0: "OK", 1: "EPERM", 2: "ENOENT", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 11: "EAGAIN", 12: "ENOMEM", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST", 22: "EINVAL", 25: "ENOTTY", 28: "ENOSPC", 32: "EPIPE", 71: "ENOSYS", 104: "ECONNRESET", 107: "ENOTCONN", 110: "ETIMEDOUT", 111: "ECONNREFUSED", 200: "ERESTART", 201: "ENOTREADY", 202: "EDEADSRCDST", 203: "EBADSRCDST", 208: "ELOCKED", 210: "ECALLDENIED", 211: "ETRAPDENIED", 212: "EBADREQUEST" })[Math.abs(code)] ?? `error ${code}`;

// ---- VFS protocol ------------------------------------------------------------------------------
// Requests of user processes to VFS (system/servers/vfs) and its reply. TypeScript only: no C
// program speaks VFS. Kept as objects, not loose numbers, because test/kernel/abi.test.ts holds
// every numeric export of this file to abi.h.
//
//   request        fields (VFS_MSG)                                 reply: status (and fields)
//   VFS.MKDIR      path | pathLen+pathGrant                        OK
//   VFS.CREATE     path | pathLen+pathGrant                        fd (new empty file, open r/w)
//   VFS.OPEN       path | pathLen+pathGrant                        fd (existing file, offset 0)
//   VFS.WRITE      fd, grant (CPF_READ), bytes                     bytes written at the fd offset
//   VFS.READ       fd, grant (CPF_WRITE), bytes                    bytes read (0 at end of file)
//   VFS.CLOSE      fd                                              OK
//   VFS.SYNC       -                                               OK once every dirty block is on disk
//   VFS.STAT       path | pathLen+pathGrant                        OK, size, ftype
//   VFS.IOCTL      fd, request, arg (a character device)           OK or the value asked for (in size)
//
// A path "/dev/<node>" names a character device when VFS serves one under that name (its cdev=
// parameter); OPEN, READ, WRITE, IOCTL and CLOSE on it go to its driver (CDEV protocol). After the
// driver died, every request on a file opened before gets EIO, except CLOSE; OPEN again reaches
// the new driver once it announced itself (ENXIO before).
//
// A path shorter than VFS.PATH_INLINE bytes travels NUL-terminated in the message (pathLen 0 or
// its length); a longer one (up to VFS.PATH_MAX) through a grant of pathLen bytes. READ/WRITE move
// at most VFS.IO_MAX bytes per request (a shorter count is not an error: ask again).
export const VFS = {
  RQ_BASE: 0xc00,
  MKDIR: 0xc00,
  CREATE: 0xc01,
  OPEN: 0xc02,
  WRITE: 0xc03,
  READ: 0xc04,
  CLOSE: 0xc05,
  SYNC: 0xc06,
  STAT: 0xc07,
  IOCTL: 0xc08,
  REPLY: 0xc80,
  PATH_INLINE: 40,
  PATH_MAX: 255,
  IO_MAX: 16384,
  FT_FILE: 1,
  FT_DIR: 2,
} as const;

/** Field offsets of VFS requests and replies (bytes from the start of the message). */
export const VFS_MSG = {
  request: { path: 8, pathLen: 48, pathGrant: 52, fd: 8, grant: 12, bytes: 16, ioctl: 20, arg: 24 },
  reply: { status: 8, size: 12, ftype: 16 },
} as const;

// ---- NET protocol ------------------------------------------------------------------------------
// Requests of user processes to the network server (system/servers/net) and its reply. TypeScript
// only, like the VFS protocol. One request per socket at a time (another gets EBUSY); a request
// that cannot complete yet is answered later (deferred), as VFS answers its requests.
//
//   request        fields (NET_MSG.request)                         reply: status (and fields)
//   NET.SOCKET     type (NET.STREAM | NET.DGRAM)                    fd
//   NET.CONNECT    fd, ip, port                                     OK after the handshake; -ETIMEDOUT, -ECONNREFUSED
//   NET.SEND       fd, grant (CPF_READ), bytes                      bytes taken into the send buffer (>= 1; waits
//                                                                   while it is full); -ECONNRESET, -ETIMEDOUT, -EPIPE
//   NET.RECV       fd, grant (CPF_WRITE), bytes                     bytes (0: the peer closed; waits while empty)
//   NET.SENDTO     fd, grant, bytes, ip, port (DGRAM)               bytes
//   NET.RECVFROM   fd, grant, bytes, timeout (ticks, 0 = none)      bytes, ip, port; -ETIMEDOUT after the timeout
//   NET.CLOSE      fd                                               OK (stream: FIN queued after the data)
//
// IPs are u32 (10.0.0.1 = 0x0a000001), ports 16-bit.
export const NET = {
  RQ_BASE: 0xe00,
  SOCKET: 0xe00,
  CONNECT: 0xe01,
  SEND: 0xe02,
  RECV: 0xe03,
  SENDTO: 0xe04,
  RECVFROM: 0xe05,
  CLOSE: 0xe06,
  REPLY: 0xe80,
  STREAM: 1,
  DGRAM: 2,
} as const;

/** Field offsets of NET requests and replies (bytes from the start of the message). */
export const NET_MSG = {
  request: { fd: 8, grant: 12, bytes: 16, ip: 20, port: 24, type: 28, timeout: 32 },
  reply: { status: 8, ip: 12, port: 16 },
} as const;
