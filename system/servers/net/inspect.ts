/*
 * The network server's RAM state decoded for observers (tests, oracles, debugging): interface,
 * driver, ARP cache, outstanding driver requests and sockets as they stand right now. The
 * server itself never uses this.
 */
import { ipToString, macToString } from "../../net/addr.js";
import {
  ARP, ARP_ENTRIES, ARP_FAILED, ARP_PENDING, ARP_RESOLVED, DRV_CONF, DRV_DOWN, DRV_INIT, DRV_UP, FBUF, G, macOf, NR_FBUFS, NR_RX,
  NR_SOCKS, S_FREE, SOCK, STATE_NAMES, type NetMem,
} from "./memory.js";

export interface NetView {
  iface: { ip: string; netmask: string; peer: string; mac: string | null; mode: number };
  driver: { label: string; endpoint: number; status: "down" | "init" | "conf" | "up" | number; inits: number };
  arp: Array<{ ip: string; state: "pending" | "resolved" | "failed" | number; mac: string; tries: number }>;
  /** Requests outstanding at the driver: receives posted, frames being sent. */
  outstanding: { receives: number; sends: number };
  /** Sockets in use, by fd. */
  sockets: Array<{
    fd: number; state: string; type: number; owner: number; open: boolean; local: number; remote: string; error: number;
    sendBuffered: number; recvBuffered: number; inFlight: number; rtoMs: number; retries: number; request: number;
  }>;
}

const DRV_NAMES: Record<number, NetView["driver"]["status"]> = { [DRV_DOWN]: "down", [DRV_INIT]: "init", [DRV_CONF]: "conf", [DRV_UP]: "up" };
const ARP_NAMES: Record<number, "pending" | "resolved" | "failed"> = { [ARP_PENDING]: "pending", [ARP_RESOLVED]: "resolved", [ARP_FAILED]: "failed" };

export function inspectNet(m: NetMem): NetView {
  const arp: NetView["arp"] = [];
  for (let i = 0; i < ARP_ENTRIES; i++) {
    const st = m.arp(i, ARP.state);
    if (st === 0) continue;
    arp.push({ ip: ipToString(m.arp(i, ARP.ip)), state: ARP_NAMES[st] ?? st, mac: macToString(macOf(m.arp(i, ARP.macLo), m.arp(i, ARP.macHi))), tries: m.arp(i, ARP.tries) });
  }
  let receives = 0;
  let sends = 0;
  for (let i = 0; i < NR_FBUFS; i++) if (m.fbuf(i, FBUF.busy)) i < NR_RX ? receives++ : sends++;
  const sockets: NetView["sockets"] = [];
  for (let s = 0; s < NR_SOCKS; s++) {
    const st = m.sock(s, SOCK.state);
    if (st === S_FREE) continue;
    sockets.push({
      fd: s, state: STATE_NAMES[st] ?? `state ${st}`, type: m.sock(s, SOCK.type), owner: m.sock(s, SOCK.owner), open: m.sock(s, SOCK.userOpen) !== 0,
      local: m.sock(s, SOCK.lport), remote: `${ipToString(m.sock(s, SOCK.rip))}:${m.sock(s, SOCK.rport)}`, error: m.sock(s, SOCK.error),
      sendBuffered: m.sock(s, SOCK.sbLen), recvBuffered: m.sock(s, SOCK.rbLen), inFlight: (m.sock(s, SOCK.sndNxt) - m.sock(s, SOCK.sndUna)) | 0,
      rtoMs: m.sock(s, SOCK.rtoMs), retries: m.sock(s, SOCK.retries), request: m.sock(s, SOCK.reqType),
    });
  }
  const status = m.g(G.drvStatus);
  return {
    iface: {
      ip: ipToString(m.g(G.ip)), netmask: ipToString(m.g(G.netmask)), peer: ipToString(m.g(G.peer)),
      mac: m.g(G.macKnown) ? macToString(m.mac()) : null, mode: m.g(G.mode),
    },
    driver: { label: m.label(), endpoint: m.g(G.drvEndpoint), status: DRV_NAMES[status] ?? status, inits: m.g(G.inits) },
    arp, outstanding: { receives, sends }, sockets,
  };
}
