/*
 * The network server's memory region and the state it keeps there, as MINIX's inet keeps it in
 * its data segment: the globals (interface configuration, the driver, counters for ids, ports and
 * sequence numbers), the ARP cache, the frame buffers with the requests outstanding at the
 * driver, and the socket table with each socket's protocol state, its pending request, its
 * timers and its send and receive buffers. Nothing the server decides on is kept host-side: a
 * wild write into this region changes what the server does next. Only the statistics and the
 * event log stay host-side (types.ts).
 *
 * The region (ServiceConf.memSize = NET_MEM_SIZE):
 *
 *   0x0_0000 +--------------------------------------+
 *            | inbox, call buffer, grants           |  native runtime (native.ts)
 *   0x0_2000 +--------------------------------------+ NATIVE_HEAP = GLOBALS
 *            | globals (G)                          |  see G below
 *   0x0_2400 +--------------------------------------+ ARP_TABLE
 *            | ARP cache: ARP_ENTRIES x 32          |  ARP below
 *   0x0_2500 +--------------------------------------+ FBUF_TABLE
 *            | frame buffer headers: NR_FBUFS x 16  |  FBUF below: receives first, then sends
 *   0x0_2800 +--------------------------------------+ SOCK_TABLE
 *            | sockets: NR_SOCKS x 256              |  SOCK below; an fd is an index
 *   0x0_3000 +--------------------------------------+ STAGING
 *            | datagram staging (2 KiB)             |  the data of the SENDTO in progress
 *   0x0_3800 +--------------------------------------+
 *            | (unused)                             |
 *   0x0_4000 +--------------------------------------+ FRAMES
 *            | frame buffers: NR_FBUFS x 2 KiB      |  frame i at FRAMES + i * FRAME_BUF
 *   0x0_a000 +--------------------------------------+
 *            | (unused)                             |
 *   0x1_0000 +--------------------------------------+ SOCK_BUFS
 *            | socket buffers: NR_SOCKS x 32 KiB    |  socket s: send ring, then receive ring
 *   0x5_0000 +--------------------------------------+ NET_MEM_SIZE
 *
 * Every field is a little-endian 32-bit word. Sequence numbers are u32 stored as int32 (compare
 * them with seqLt/seqLe). Times are clock ticks. A value read here is data a wild write may have
 * made anything: indices and lengths are clamped or checked before use, loops are bounded by
 * the tables' fixed sizes, an unknown state takes the "else" path.
 */
import { NATIVE_HEAP, NATIVE_MAX_GRANTS } from "../../kernel/native.js";

export const GLOBALS = NATIVE_HEAP;
export const GLOBALS_SIZE = 0x400;
export const ARP_TABLE = 0x2400;
export const FBUF_TABLE = 0x2500;
export const SOCK_TABLE = 0x2800;
export const STAGING = 0x3000;
export const STAGING_SIZE = 0x800;
export const FRAMES = 0x4000;
export const SOCK_BUFS = 0x1_0000;
export const NET_MEM_SIZE = 0x5_0000;

/** Receive buffers kept posted at the driver, and transmit buffers (each a frame at the driver or free). */
export const NR_RX = 4;
export const NR_TX = 8;
export const NR_FBUFS = NR_RX + NR_TX;
export const FRAME_BUF = 0x800;
export const ARP_ENTRIES = 4;
export const NR_SOCKS = 8;
/** Each way, per socket: 16 KiB, the stream protocol's WINDOW. */
export const SOCK_BUF = 0x4000;
/** A datagram socket's receive buffer as slots of one datagram each: UDP_SLOT bytes (header + data). */
export const UDP_SLOT = 0x800;
export const UDP_SLOTS = SOCK_BUF / UDP_SLOT;
/** Slot header: length, source ip, source port. */
export const UDP_SLOT_HDR = 12;
export const LABEL_MAX = 32;

/** The globals (offsets from GLOBALS). */
export const G = {
  ip: 0, // our address (parameter ip=)
  netmask: 4,
  peer: 8, // the host resolved at start, before the first IP packet (parameter peer=)
  mode: 12, // NDEV_MODE_* given to the driver in NDEV_CONF (replayed on every new driver)
  macLo: 16, // MAC from NDEV_INIT: bytes 0-3 (byte 0 lowest)
  macHi: 20, // bytes 4-5
  macKnown: 24, // bool
  drvEndpoint: 32, // the driver, NONE when unknown or lost
  drvStatus: 36, // DRV_*
  drvReqId: 40, // id of the NDEV_INIT / NDEV_CONF in flight
  reqSeq: 44, // id of the last NDEV request sent
  inits: 48, // NDEV_INITs sent so far (the first is the boot, later ones recoveries)
  nextPort: 64, // next ephemeral port
  issNext: 68, // initial sequence number of the next connection
  ipId: 72, // IP identification of the next packet
  alarmAt: 76, // tick the CLOCK alarm was last set for, -1 none (for observers: pump sets it afresh)
  recovery: 80, // how the server meets a failed driver: MODE_* of ../recovery-mode.ts (parameter recovery=; minix 0)
  drvLabel: 96, // LABEL_MAX bytes, NUL-padded
} as const;

export const DRV_DOWN = 0; // no driver: waiting for an announcement
export const DRV_INIT = 1; // NDEV_INIT sent
export const DRV_CONF = 2; // NDEV_CONF sent
export const DRV_UP = 3;

/** An ARP cache entry (32 bytes). */
export const ARP = {
  state: 0, // ARP_*
  ip: 4,
  macLo: 8,
  macHi: 12,
  tries: 16, // requests sent for a pending entry
  at: 20, // pending: tick of the next retry
} as const;
export const ARP_SIZE = 32;
export const ARP_FREE = 0;
export const ARP_PENDING = 1;
export const ARP_RESOLVED = 2;
export const ARP_FAILED = 3;

/** A frame buffer's header (16 bytes): buffer i is a receive buffer when i < NR_RX. */
export const FBUF = {
  busy: 0, // 1: outstanding at the driver (NDEV_RECV / NDEV_SEND sent, no reply yet); FB_REPLAY: a send to replay
  id: 4, // id of that request
  grant: 8, // grant on the buffer for the driver, -1 none
  len: 12, // frame length (sends)
} as const;
export const FBUF_SIZE = 16;
/** A transmit buffer whose send the failed driver never answered, held for the next driver (recovery=shadow). */
export const FB_REPLAY = 2;

/** A socket (256 bytes). */
export const SOCK = {
  state: 0, // S_*
  type: 4, // NET.STREAM / NET.DGRAM
  owner: 8, // endpoint of the process that opened it
  userOpen: 12, // the owner has not closed it (a closed stream lingers until its connection ends)
  lport: 16,
  rip: 20,
  rport: 24,
  error: 28, // error to report (positive errno), 0 none
  // stream: sequence state (u32)
  iss: 32,
  sndUna: 36, // oldest unacknowledged
  sndNxt: 40, // next to send
  sndMax: 44, // highest sent (go-back-N may lower sndNxt below it)
  sndWnd: 48, // the peer's advertised window
  rcvNxt: 52,
  rcvAdv: 56, // window we advertised last
  sbStart: 60, // send ring: offset of the byte at sndUna
  sbLen: 64, // bytes in the send ring (acknowledged ones are removed)
  rbStart: 68, // receive ring: offset of the first unread byte
  rbLen: 72,
  finQueued: 76, // the owner closed: FIN after the data
  finSent: 80, // our FIN is in sequence space (at sndUna + sbLen)
  peerFin: 84, // the peer's FIN arrived (in order)
  rtoMs: 88,
  retries: 92, // timeouts in a row without progress
  rtxAt: 96, // retransmission timer: tick, -1 off
  closeAt: 100, // TIME_WAIT end: tick, -1 off
  // datagram receive queue (slots in the receive buffer)
  udpHead: 104,
  udpCount: 108,
  ackDue: 112, // an ACK could not be sent (every transmit buffer busy): output sends it when one frees
  // the pending request (one per socket)
  reqType: 128, // 0 none
  reqFrom: 132,
  reqGrant: 136,
  reqBytes: 140,
  reqIp: 144,
  reqPort: 148,
  reqAt: 152, // RECVFROM timeout: tick, -1 none
} as const;
export const SOCK_SIZE = 256;

export const S_FREE = 0;
export const S_DGRAM = 1; // a datagram socket
export const S_CLOSED = 2; // a stream socket, no connection
export const S_SYN_SENT = 3;
export const S_ESTABLISHED = 4;
export const S_FIN_WAIT_1 = 5;
export const S_FIN_WAIT_2 = 6;
export const S_CLOSING = 7;
export const S_TIME_WAIT = 8;
export const S_CLOSE_WAIT = 9;
export const S_LAST_ACK = 10;
export const STATE_NAMES = [
  "free", "dgram", "closed", "syn-sent", "established", "fin-wait-1", "fin-wait-2", "closing", "time-wait", "close-wait", "last-ack",
];

const check = (what: string, end: number, limit: number): void => {
  if (end > limit) throw new Error(`NET layout: ${what} overlaps what follows`);
};
check("globals", GLOBALS + GLOBALS_SIZE, ARP_TABLE);
check("label", G.drvLabel + LABEL_MAX, GLOBALS_SIZE);
check("recovery mode", G.recovery + 4, G.drvLabel);
check("ARP cache", ARP_TABLE + ARP_ENTRIES * ARP_SIZE, FBUF_TABLE);
check("frame headers", FBUF_TABLE + NR_FBUFS * FBUF_SIZE, SOCK_TABLE);
check("sockets", SOCK_TABLE + NR_SOCKS * SOCK_SIZE, STAGING);
check("staging", STAGING + STAGING_SIZE, FRAMES);
check("frames", FRAMES + NR_FBUFS * FRAME_BUF, SOCK_BUFS);
check("socket buffers", SOCK_BUFS + NR_SOCKS * 2 * SOCK_BUF, NET_MEM_SIZE);

/** Typed access to the region: one word accessor per table (a shift and an index, no allocation). */
export class NetMem {
  readonly i32: Int32Array;

  constructor(readonly u8: Uint8Array) {
    this.i32 = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
  }

  g(f: number): number {
    return this.i32[(GLOBALS + f) >> 2];
  }
  setG(f: number, v: number): void {
    this.i32[(GLOBALS + f) >> 2] = v;
  }
  arp(i: number, f: number): number {
    return this.i32[(ARP_TABLE + i * ARP_SIZE + f) >> 2];
  }
  setArp(i: number, f: number, v: number): void {
    this.i32[(ARP_TABLE + i * ARP_SIZE + f) >> 2] = v;
  }
  fbuf(i: number, f: number): number {
    return this.i32[(FBUF_TABLE + i * FBUF_SIZE + f) >> 2];
  }
  setFbuf(i: number, f: number, v: number): void {
    this.i32[(FBUF_TABLE + i * FBUF_SIZE + f) >> 2] = v;
  }
  sock(s: number, f: number): number {
    return this.i32[(SOCK_TABLE + s * SOCK_SIZE + f) >> 2];
  }
  setSock(s: number, f: number, v: number): void {
    this.i32[(SOCK_TABLE + s * SOCK_SIZE + f) >> 2] = v;
  }

  /** The driver's label (printable ASCII up to the first NUL). */
  label(): string {
    let s = "";
    for (let i = 0, at = GLOBALS + G.drvLabel; i < LABEL_MAX && this.u8[at + i]; i++) s += String.fromCharCode(this.u8[at + i] & 0x7f);
    return s;
  }
  setLabel(label: string): void {
    const at = GLOBALS + G.drvLabel;
    for (let i = 0; i < LABEL_MAX; i++) this.u8[at + i] = i < label.length && i < LABEL_MAX - 1 ? label.charCodeAt(i) & 0x7f : 0;
  }

  /** Our MAC (from the driver's NDEV_INIT reply). */
  mac(): Uint8Array {
    return macOf(this.g(G.macLo), this.g(G.macHi));
  }

  view(va: number, len: number): Uint8Array {
    return this.u8.subarray(va, va + len);
  }
}

/** A MAC from its two words (bytes 0-3 low word, byte 0 lowest; bytes 4-5), written into `into` (default a new array). */
export function macOf(lo: number, hi: number, into = new Uint8Array(6)): Uint8Array {
  into[0] = lo;
  into[1] = lo >>> 8;
  into[2] = lo >>> 16;
  into[3] = lo >>> 24;
  into[4] = hi;
  into[5] = hi >>> 8;
  return into;
}
export const macLo = (m: Uint8Array): number => m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24);
export const macHi = (m: Uint8Array): number => m[4] | (m[5] << 8);

export const frameAddr = (i: number): number => FRAMES + i * FRAME_BUF;
export const sendBuf = (s: number): number => SOCK_BUFS + s * 2 * SOCK_BUF;
export const recvBuf = (s: number): number => SOCK_BUFS + s * 2 * SOCK_BUF + SOCK_BUF;
/** A ring offset or length read from RAM, made safe to index with. */
export const clampBuf = (v: number): number => (v < 0 ? 0 : v > SOCK_BUF ? SOCK_BUF : v);
/** The grant id `g` read from RAM names an entry of the server's grant table. */
export const isGrant = (g: number): boolean => g >= 0 && g < NATIVE_MAX_GRANTS;

const mems = new WeakMap<ArrayBufferLike, Map<number, NetMem>>();

/** The accessor of region `region` (the server's whole memory). */
export function regionMem(region: Uint8Array): NetMem {
  let byOffset = mems.get(region.buffer);
  if (!byOffset) mems.set(region.buffer, (byOffset = new Map()));
  let m = byOffset.get(region.byteOffset);
  if (!m || m.u8.byteLength !== region.byteLength) byOffset.set(region.byteOffset, (m = new NetMem(region)));
  return m;
}

/** The accessor of the running server's own region. */
export const netMem = (k: { view(va: number, len: number): Uint8Array }): NetMem => regionMem(k.view(0, NET_MEM_SIZE));
