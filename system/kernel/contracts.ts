/*
 * Channel contracts, as data (Singularity: Fähndrich et al., EuroSys 2006; Hunt & Larus, OSR
 * 2007). A contract names the messages of a channel in each direction and the order they may
 * come in; the Singularity builds check every message on a channel against it
 * (kernel/channels.ts). Ours are the contracts of bulkhead's driver protocols (abi.h), written
 * as Singularity writes its own, e.g. its DiskDeviceContract:
 *
 *   contract BlockDeviceContract {                    // exporter: the driver
 *     in message Open(minor, access)?   out message Reply(status)!      // status: OK or -errno
 *     in message Read(grant, count)?    out message Reply(status)!      // status: -errno..count
 *     ...
 *     state Ready: one { Open? -> Reply! -> Ready; Read? -> Reply! -> Ready; ... }
 *   }
 *
 * Every protocol here is request and reply: the importer (the client) sends requests ('?' at
 * the exporter), the exporter answers each with one reply ('!'), so a channel's state is the set
 * of requests outstanding, each waiting for its reply. The checks on a message:
 *   - its type is one of the contract's for that direction (a reply type from the exporter, a
 *     request type from the importer);
 *   - a request carries a fresh id (none outstanding has it) and the channel has room for it;
 *   - a reply answers an outstanding request (its id echoed, its type the request's reply): a
 *     reply sent with nothing outstanding is out of the contract's order;
 *   - the reply's status is in range: OK or an error, or a count up to the request's count
 *     (a read cannot return more bytes than were asked for).
 * Protocols whose messages carry no id (DS: one sendrec at a time) have each reply answer the
 * oldest outstanding request.
 *
 * A request that hands a buffer over names the grant at `grant`: the exchange-heap block whose
 * ownership passes to the exporter with the request and back with the reply (channels.ts).
 */
import {
  BDEV_CLOSE, BDEV_OPEN, BDEV_READ, BDEV_REPLY, BDEV_WRITE, CDEV_CLOSE, CDEV_IOCTL, CDEV_OPEN, CDEV_READ, CDEV_REPLY, CDEV_WRITE,
  DS_CHECK, DS_DELETE, DS_PUBLISH, DS_REPLY, DS_RETRIEVE, DS_SUBSCRIBE, MSG, NDEV_CONF, NDEV_GETSTAT, NDEV_INIT, NDEV_RECV,
  NDEV_REPLY_BIT, NDEV_SEND,
} from "./abi.js";

/** What a reply's status may be: OK or an error; a count up to the request's (or an error); anything. */
export type StatusRule = "status" | "count" | "any";

/** One request of a contract (a message the exporter receives) and the reply that answers it. */
export interface RequestRule {
  /** The message's name in the contract. */
  name: string;
  /** m_type of the reply that answers it. */
  reply: number;
  status: StatusRule;
  /** Offset of the request's count field (status "count"). */
  count?: number;
  /** Offset of the grant of the exchange-heap block the request hands over, if it hands one. */
  grant?: number;
}

export interface Contract {
  name: string;
  /** Offsets of the id in requests and in replies; absent: replies answer the oldest request. */
  id?: { request: number; reply: number };
  /** Offset of the status in replies. */
  status: number;
  /** Requests by m_type. */
  requests: Record<number, RequestRule>;
}

/** The most negative status a reply may carry as an error (our errno values end at 212). */
export const MAX_ERRNO = 255;

const bdev = (name: string, status: StatusRule): RequestRule =>
  status === "count" ? { name, reply: BDEV_REPLY, status, count: MSG.bdev.count, grant: MSG.bdev.grant } : { name, reply: BDEV_REPLY, status };

/** After Singularity's DiskDeviceContract (Read? -> AckRead! | NakRead!). */
const BlockDeviceContract: Contract = {
  name: "BlockDeviceContract",
  id: { request: MSG.bdev.id, reply: MSG.bdevReply.id },
  status: MSG.bdevReply.status,
  requests: {
    [BDEV_OPEN]: bdev("Open", "status"),
    [BDEV_CLOSE]: bdev("Close", "status"),
    [BDEV_READ]: bdev("Read", "count"),
    [BDEV_WRITE]: bdev("Write", "count"),
  },
};

const ndev = (name: string, type: number, status: StatusRule, grant: boolean): [number, RequestRule] => [
  type,
  { name, reply: type | NDEV_REPLY_BIT, status, ...(status === "count" ? { count: MSG.ndev.count } : {}), ...(grant ? { grant: MSG.ndev.grant } : {}) },
];

/** After Singularity's NicDeviceContract (GiveTxPacketsToDevice? -> TakeTxPacketsFromDevice!, and the same for receive). */
const NicDeviceContract: Contract = {
  name: "NicDeviceContract",
  id: { request: MSG.ndev.id, reply: MSG.ndevReply.id },
  status: MSG.ndevReply.status,
  requests: Object.fromEntries([
    ndev("Initialize", NDEV_INIT, "status", false),
    ndev("Configure", NDEV_CONF, "status", false),
    ndev("GiveTxPacketToDevice", NDEV_SEND, "count", true),
    ndev("GiveRxPacketToDevice", NDEV_RECV, "count", true),
    ndev("GetStatistics", NDEV_GETSTAT, "status", true),
  ]),
};

const cdev = (name: string, status: StatusRule, grant: boolean): RequestRule => ({
  name, reply: CDEV_REPLY, status, ...(status === "count" ? { count: MSG.cdev.count } : {}), ...(grant ? { grant: MSG.cdev.grant } : {}),
});

/** A character device's: audio (es1371) and the printer speak it alike (abi.h CDEV_*). */
const charDevice = (name: string): Contract => ({
  name,
  id: { request: MSG.cdev.id, reply: MSG.cdevReply.id },
  status: MSG.cdevReply.status,
  requests: {
    [CDEV_OPEN]: cdev("Open", "status", false),
    [CDEV_CLOSE]: cdev("Close", "status", false),
    [CDEV_READ]: cdev("Read", "count", true),
    [CDEV_WRITE]: cdev("Write", "count", true),
    [CDEV_IOCTL]: cdev("Control", "status", false),
  },
});

const ds = (name: string): RequestRule => ({ name, reply: DS_REPLY, status: "any" });

/** The data store's (DS answers one sendrec at a time; its reply's status may be a value's). */
const DataStoreContract: Contract = {
  name: "DataStoreContract",
  status: MSG.ds.flags,
  requests: {
    [DS_PUBLISH]: ds("Publish"),
    [DS_RETRIEVE]: ds("Retrieve"),
    [DS_SUBSCRIBE]: ds("Subscribe"),
    [DS_CHECK]: ds("Check"),
    [DS_DELETE]: ds("Delete"),
  },
};

/** Every contract, in the order their numbers (kernel/channels.ts, in RAM) refer to them. */
export const CONTRACTS: Contract[] = [BlockDeviceContract, NicDeviceContract, charDevice("AudioDeviceContract"), charDevice("PrinterDeviceContract"), DataStoreContract];

/** The number of contract `name`, or -1. */
export const contractNumber = (name: string): number => CONTRACTS.findIndex((c) => c.name === name);
