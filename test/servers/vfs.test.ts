/*
 * VFS and its file system. BHFS on literal images: mkfs, the operations, readTree, and fsck
 * finding what was broken on purpose. VFS in a real system (DS, RS managing the real at_wini
 * driver, VFS, a scripted client): the protocol and its errors, long paths through grants, an
 * unformatted disk, and recovery — the driver really crashes (an illegal instruction written
 * into its code), RS restarts it, VFS reopens it and reissues the I/O; with RS's restarts off,
 * the client gets EIO.
 */
import { describe, expect, it } from "vitest";
import { ILLEGAL, patchRunning } from "../support/system.js";
import { vfsView } from "../support/vfs.js";
import { BUILDS } from "../../system/builds/index.js";
import { driverConf } from "../support/driver.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import {
  CPF_READ, CPF_WRITE, EEXIST, EINVAL, EIO, ENOENT, VFS, VFS_MSG,
} from "../../system/kernel/abi.js";
import { get32, newMessage, set32, setString, type Message } from "../../system/kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../../system/kernel/native.js";
import { SERVER_Q, USER_Q } from "../../system/kernel/params.js";
import { nativeRegion } from "../../system/servers/region.js";
import { RS_HDR, setRsConfig } from "../../system/servers/rs/table.js";
import { findSymbol, parseElf, type ElfImage } from "../../system/machine/elf.js";
import { ds } from "../../system/servers/ds.js";
import { makeRs } from "../../system/servers/rs/rs.js";
import { fsck } from "../../system/servers/vfs/fsck.js";
import {
  BLOCK_SIZE, decodeInode, decodeSuper, DIRENT_SIZE, encodeDirent, encodeInode, FS_MAGIC, inodeBlock, inodeOffset, NR_DIRECT,
} from "../../system/servers/vfs/fsformat.js";
import { fileReadMap, makeDir, makeFile } from "../../system/servers/vfs/fsops.js";
import { addDir, addFile, mkfs, openImage } from "../../system/servers/vfs/mkfs.js";
import { fileBlocks, readTree } from "../../system/servers/vfs/tree.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import { vfs, vfsService } from "../../system/servers/vfs/vfs.js";
import { System } from "../../system/system.js";

const MiB = 1 << 20;
const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed * 13 + (i >> 9)) & 0xff);

function formatted(size = MiB): Uint8Array {
  const img = new Uint8Array(size);
  const r = mkfs(img);
  if (!r.ok) throw new Error(r.error);
  return img;
}

/** Reads inode `ino` of a formatted image, lets `change` edit it, writes it back. */
function editInode(img: Uint8Array, ino: number, change: (i: ReturnType<typeof decodeInode>) => void): void {
  const o = openImage(img);
  if (!o.ok) throw new Error(o.error);
  const at = inodeBlock(o.fs.sb, ino) * BLOCK_SIZE + inodeOffset(ino);
  const inode = decodeInode(img, at);
  change(inode);
  encodeInode(inode, img, at);
}

describe("BHFS on an image", () => {
  it("mkfs makes a consistent, empty file system with a root directory", () => {
    const img = formatted();
    const sb = decodeSuper(img);
    expect(sb).toMatchObject({ magic: FS_MAGIC, blockSize: BLOCK_SIZE, totalBlocks: 256, inodeCount: 64, dataStart: 4 });
    expect(sb.freeBlocks).toBe(256 - 4 - 1); // the root directory's block
    expect(sb.freeInodes).toBe(62); // inodes 0 (never used) and 1 (root)
    expect(fsck(img)).toEqual([]);
    expect(readTree(img)).toEqual({ "/": "dir" });
  });

  it("refuses an image too small for its metadata", () => {
    expect(mkfs(new Uint8Array(2 * BLOCK_SIZE)).ok).toBe(false);
  });

  it("stores directories and files (past the direct blocks) and reads them back as a tree", () => {
    const img = formatted();
    const big = bytes((NR_DIRECT + 3) * BLOCK_SIZE + 100, 1);
    expect(addDir(img, "/a")).toBeGreaterThan(1);
    expect(addDir(img, "/a/b")).toBeGreaterThan(1);
    expect(addFile(img, "/a/b/big", big)).toBeGreaterThan(1);
    expect(addFile(img, "/empty", new Uint8Array(0))).toBeGreaterThan(1);
    expect(addFile(img, "/a/small", bytes(10, 2))).toBeGreaterThan(1);
    expect(fsck(img)).toEqual([]);
    expect(readTree(img)).toEqual({ "/": "dir", "/a": "dir", "/a/b": "dir", "/a/b/big": big, "/empty": new Uint8Array(0), "/a/small": bytes(10, 2) });
    expect(fileBlocks(img, "/a/b/big")).toHaveLength(NR_DIRECT + 4);
  });

  it("answers errors as errno values: EEXIST, ENOENT, EINVAL", () => {
    const img = formatted();
    const o = openImage(img);
    if (!o.ok) throw new Error(o.error);
    expect(makeDir(o.fs, "/x")).toBeGreaterThan(0);
    expect(makeDir(o.fs, "/x")).toBe(-EEXIST);
    expect(makeFile(o.fs, "/nope/f")).toBe(-ENOENT);
    expect(makeFile(o.fs, "relative")).toBe(-EINVAL);
    expect(makeFile(o.fs, `/${"n".repeat(29)}`)).toBe(-EINVAL);
    expect(makeFile(o.fs, "/x/.")).toBe(-EEXIST);
    const f = makeFile(o.fs, "/x/f");
    expect(fileReadMap(o.fs, f, 0, 100)).toEqual([]);
    expect(fsck(img)).toEqual([]);
  });

  it("fsck finds a corrupted block bitmap", () => {
    const img = formatted();
    addFile(img, "/f", bytes(3 * BLOCK_SIZE, 3));
    const sb = decodeSuper(img);
    const used = fileBlocks(img, "/f")![1];
    img[sb.blockMapStart * BLOCK_SIZE + (used >> 3)] &= ~(1 << (used & 7)); // a used block marked free
    img[sb.blockMapStart * BLOCK_SIZE + 31] |= 0x80; // block 255, unused, marked in use
    const problems = fsck(img);
    expect(problems).toContain(`block bitmap: block ${used} is in use (inode 2) but marked free`);
    expect(problems).toContain("block bitmap: block 255 is marked in use but unused");
  });

  it("fsck finds a block used twice", () => {
    const img = formatted();
    addFile(img, "/a", bytes(BLOCK_SIZE, 4));
    addFile(img, "/b", bytes(BLOCK_SIZE, 5));
    const shared = fileBlocks(img, "/a")![0];
    editInode(img, 3, (i) => (i.direct[0] = shared));
    expect(fsck(img).some((p) => p.startsWith(`block ${shared} used twice`))).toBe(true);
  });

  it("fsck finds bad directory entries and wrong link counts", () => {
    const img = formatted();
    addDir(img, "/d");
    addFile(img, "/d/f", bytes(100, 6));
    const dirBlock = fileBlocks(img, "/d")![0];
    encodeDirent({ ino: 40, name: "ghost" }, img, dirBlock * BLOCK_SIZE + 3 * DIRENT_SIZE); // a free inode
    encodeDirent({ ino: 9999, name: "far" }, img, dirBlock * BLOCK_SIZE + 4 * DIRENT_SIZE); // beyond the table
    editInode(img, 2, (i) => (i.size = 5 * DIRENT_SIZE));
    editInode(img, 3, (i) => (i.links = 3));
    const problems = fsck(img);
    expect(problems).toContain('directory /d: "ghost" points to free inode 40');
    expect(problems).toContain('directory /d: "far" points to inode 9999, beyond the 64 inodes');
    expect(problems).toContain("inode 3: link count 3, but 1 entries name it");
  });

  it("fsck finds sizes that do not fit the block pointers, and a bad superblock", () => {
    const img = formatted();
    addFile(img, "/f", bytes(100, 7));
    editInode(img, 2, (i) => (i.size = 2 * BLOCK_SIZE));
    expect(fsck(img)).toContain("inode 2: block 1 is missing (size needs 2 blocks)");
    img[0] ^= 0xff;
    expect(fsck(img)[0]).toMatch(/^superblock: bad magic/);
    expect(readTree(img)).toEqual({});
  });
});

// ---- VFS in a running system --------------------------------------------------------------------

/** One request of the scripted client; `fdFrom` names the step whose reply was the fd. */
interface Step {
  type: number;
  path?: string;
  fdFrom?: number;
  bytes?: number;
  /** WRITE: pattern seed of the data. */
  seed?: number;
}

interface ScriptState {
  steps: Step[];
  i: number;
  replies: Array<{ status: number; size: number; ftype: number; data?: number[] }>;
  grants: number[];
  done: boolean;
}

const PATH_BUF = NATIVE_HEAP;
const DATA_BUF = NATIVE_HEAP + 0x1000;

/** A user program that sends `steps` to VFS one by one and records the replies (and data read). */
function makeScript(steps: Step[]): NativeProgram<ScriptState> {
  const send = (k: NativeApi<ScriptState>): void => {
    const s = k.state;
    const st = s.steps[s.i];
    if (!st) return void (s.done = true);
    const vfsEp = k.lookup("vfs")!;
    const m: Message = newMessage(st.type);
    if (st.path !== undefined) {
      set32(m, VFS_MSG.request.pathLen, st.path.length);
      if (st.path.length < VFS.PATH_INLINE) setString(m, VFS_MSG.request.path, VFS.PATH_INLINE, st.path);
      else {
        k.write(PATH_BUF, Uint8Array.from(st.path, (c) => c.charCodeAt(0)));
        s.grants.push(k.grant(vfsEp, PATH_BUF, st.path.length, CPF_READ));
        set32(m, VFS_MSG.request.pathGrant, s.grants[s.grants.length - 1]);
      }
    }
    if (st.fdFrom !== undefined) set32(m, VFS_MSG.request.fd, s.replies[st.fdFrom].status);
    if (st.bytes !== undefined) {
      if (st.type === VFS.WRITE) k.write(DATA_BUF, bytes(st.bytes, st.seed ?? 0));
      s.grants.push(k.grant(vfsEp, DATA_BUF, st.bytes, st.type === VFS.WRITE ? CPF_READ : CPF_WRITE));
      set32(m, VFS_MSG.request.grant, s.grants[s.grants.length - 1]);
      set32(m, VFS_MSG.request.bytes, st.bytes);
    }
    k.sendrec(vfsEp, m);
  };
  return {
    init: () => ({ steps: structuredClone(steps), i: 0, replies: [], grants: [], done: false }),
    start: send,
    receive(k, m) {
      const s = k.state;
      if (get32(m, 4) !== VFS.REPLY) return;
      for (const g of s.grants.splice(0)) k.revoke(g);
      const status = get32(m, VFS_MSG.reply.status);
      const st = s.steps[s.i];
      const data = st.type === VFS.READ && status > 0 ? Array.from(k.read(DATA_BUF, status)) : undefined;
      s.replies.push({ status, size: get32(m, VFS_MSG.reply.size), ftype: get32(m, VFS_MSG.reply.ftype), data });
      s.i++;
      send(k);
    },
  };
}

const server = (label: string): ServiceConf => ({ label, program: { native: label }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: ["*"], io: [], irqs: [] });
const client: ServiceConf = { label: "client", program: { native: "client" }, role: "user", priority: USER_Q, ipcTo: ["vfs"], kernelCalls: [], io: [], irqs: [] };

function boot(steps: Step[], opts: { disk?: Uint8Array; restart?: boolean; vfsParams?: string } = {}): System {
  const disk = opts.disk ?? formatted(4 * MiB);
  const rs = makeRs([{ conf: driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs"] }), period: 33, restart: opts.restart ?? true }]);
  const r = System.boot({
    build: BUILDS.minix3, disk, imageNames: ["at_wini"], natives: { ds, rs, vfs, client: makeScript(steps) },
    boot: [server("ds"), server("rs"), vfsService(opts.vfsParams), client],
  });
  if (!r.ok) throw new Error(r.error);
  return r.system;
}

const script = (sys: System): ScriptState => sys.nativeState<ScriptState>("client")!;
const vfsState = (sys: System): VfsState => sys.nativeState<VfsState>("vfs")!;

/** Makes the running at_wini crash the next time it calls `fn`: an illegal instruction (0) at its entry. */
function breakDriver(sys: System, fn = "at_transfer"): void {
  patchRunning(sys, "at_wini", fn, [ILLEGAL]);
}

/** Makes the pristine at_wini image crash in `fn` too: every restart fails again (a persistent fault). */
function breakDriverImage(sys: System, fn = "at_transfer"): void {
  const img = sys.kernel.images.at_wini;
  const elf = parseElf(img);
  if (!elf.ok) throw new Error(elf.error);
  const at = findSymbol(elf.elf, fn)!.value;
  const seg = elf.elf.segments.find((g: ElfImage["segments"][number]) => at >= g.vaddr && at < g.vaddr + g.filesz)!;
  new DataView(img.buffer, img.byteOffset).setUint32(seg.offset + at - seg.vaddr, 0, true);
}

const LONG = `/a/${"l".repeat(27)}/${"m".repeat(20)}`;

describe("VFS", () => {
  it("serves the protocol: directories, files, reads, writes, stat, errors, long paths through grants", () => {
    const steps: Step[] = [
      { type: VFS.MKDIR, path: "/a" }, // 0
      { type: VFS.MKDIR, path: "/a" }, // 1 EEXIST
      { type: VFS.MKDIR, path: "/nope/b" }, // 2 ENOENT
      { type: VFS.CREATE, path: "/a/x" }, // 3 fd
      { type: VFS.WRITE, fdFrom: 3, bytes: 10000, seed: 1 }, // 4
      { type: VFS.WRITE, fdFrom: 3, bytes: 20000, seed: 2 }, // 5: at most IO_MAX
      { type: VFS.CLOSE, fdFrom: 3 }, // 6
      { type: VFS.STAT, path: "/a/x" }, // 7
      { type: VFS.STAT, path: "/a" }, // 8
      { type: VFS.OPEN, path: "/a/x" }, // 9 fd
      { type: VFS.READ, fdFrom: 9, bytes: 5000 }, // 10
      { type: VFS.CLOSE, fdFrom: 9 }, // 11
      { type: VFS.READ, fdFrom: 9, bytes: 10 }, // 12 EINVAL: closed
      { type: VFS.OPEN, path: "/a" }, // 13 EINVAL: a directory
      { type: VFS.MKDIR, path: `/a/${"l".repeat(27)}` }, // 14
      { type: VFS.CREATE, path: LONG }, // 15 path through a grant
      { type: VFS.STAT, path: LONG }, // 16
      { type: VFS.MKDIR, path: `/${"n".repeat(29)}` }, // 17 EINVAL: name too long
      { type: VFS.SYNC }, // 18
    ];
    const sys = boot(steps, { vfsParams: "buffers=16" }); // the smallest cache: an odd 16 KiB write must fit
    expect(sys.runUntil(() => script(sys).done, 1_000_000_000)).toBe("done");
    const r = script(sys).replies.map((x) => x.status);
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(-EEXIST);
    expect(r[2]).toBe(-ENOENT);
    expect(r[3]).toBeGreaterThanOrEqual(0);
    expect([r[4], r[5], r[6]]).toEqual([10000, VFS.IO_MAX, 0]);
    expect(script(sys).replies[7]).toMatchObject({ status: 0, size: 10000 + VFS.IO_MAX, ftype: VFS.FT_FILE });
    expect(script(sys).replies[8]).toMatchObject({ status: 0, ftype: VFS.FT_DIR });
    expect(r[10]).toBe(5000);
    expect(script(sys).replies[10].data).toEqual(Array.from(bytes(5000, 1)));
    expect([r[11], r[12], r[13], r[14]]).toEqual([0, -EINVAL, -EINVAL, 0]);
    expect(r[15]).toBeGreaterThanOrEqual(0);
    expect(script(sys).replies[16]).toMatchObject({ status: 0, size: 0, ftype: VFS.FT_FILE });
    expect([r[17], r[18]]).toEqual([-EINVAL, 0]);
    // After SYNC the disk holds it all, consistently.
    const img = sys.machine.ata.image;
    expect(fsck(img)).toEqual([]);
    const tree = readTree(img);
    expect(tree["/a/x"]).toEqual(new Uint8Array([...bytes(10000, 1), ...bytes(VFS.IO_MAX, 2)]));
    expect(tree[LONG]).toEqual(new Uint8Array(0));
    expect(vfsState(sys).stats).toMatchObject({ requests: steps.length, driverFailures: 0, eio: 0 });
  });

  it("answers EIO to everything when the disk holds no file system", () => {
    const sys = boot([{ type: VFS.MKDIR, path: "/a" }, { type: VFS.SYNC }], { disk: new Uint8Array(4 * MiB) });
    expect(sys.runUntil(() => script(sys).done, 1_000_000_000)).toBe("done");
    expect(script(sys).replies.map((x) => x.status)).toEqual([-EIO, -EIO]);
    expect(vfsView(sys).mount).toBe("bad");
    expect(sys.kernel.state.console).toMatch(/vfs: cannot mount: bad magic/);
  });

  const writeSteps = (n: number): Step[] => [
    { type: VFS.CREATE, path: "/f" },
    ...Array.from({ length: n }, (_, i): Step => ({ type: VFS.WRITE, fdFrom: 0, bytes: 3 * BLOCK_SIZE, seed: i })),
    { type: VFS.CLOSE, fdFrom: 0 },
    { type: VFS.SYNC },
  ];

  it("recovers from a driver crash: RS restarts it, VFS reopens it and reissues the I/O", () => {
    const sys = boot(writeSteps(20), { vfsParams: "buffers=16" });
    expect(sys.runUntil(() => script(sys).i >= 5, 1_000_000_000, 100_000)).toBe("done");
    breakDriver(sys);
    expect(sys.runUntil(() => script(sys).done, 1_000_000_000)).toBe("done");
    expect(script(sys).replies).toHaveLength(writeSteps(20).length);
    expect(script(sys).replies.every((x) => x.status >= 0)).toBe(true);
    const v = vfsState(sys);
    expect(v.stats).toMatchObject({ driverFailures: 1, recoveries: 1, eio: 0 });
    expect(v.stats.retries).toBeGreaterThanOrEqual(1);
    expect(v.log.map((e) => e.what).join("\n")).toMatch(/lost: EDEADSRCDST[\s\S]*announced[\s\S]*recovered: at_wini reopened/);
    expect(sys.kernel.state.events.some((e) => e.label === "at_wini" && e.kind === "crash")).toBe(true);
    const data = Buffer.concat(Array.from({ length: 20 }, (_, i) => bytes(3 * BLOCK_SIZE, i)));
    expect(data.equals(readTree(sys.machine.ata.image)["/f"] as Uint8Array)).toBe(true);
    expect(fsck(sys.machine.ata.image)).toEqual([]);
  });

  it("gives up an I/O after 10 driver failures (a fault that survives restarts): EIO until the driver is back", () => {
    const sys = boot(writeSteps(20), { vfsParams: "buffers=16" });
    expect(sys.runUntil(() => script(sys).i >= 5, 1_000_000_000, 100_000)).toBe("done");
    setRsConfig(nativeRegion(sys.kernel, "rs")!, RS_HDR.backoffUnit, 1); // restart at every RS check instead of backing off for seconds
    breakDriverImage(sys);
    breakDriver(sys);
    expect(sys.runUntil(() => script(sys).done, 2_000_000_000)).toBe("done");
    const statuses = script(sys).replies.map((x) => x.status);
    expect(statuses).toContain(-EIO);
    const v = vfsState(sys);
    expect(v.stats.triesExhausted).toBe(1);
    expect(v.stats.driverFailures).toBe(10);
    expect(v.stats.retries).toBe(9); // sent 10 times in all
    expect(vfsView(sys).driver.status).toBe("failed");
    expect(v.log.map((e) => e.what)).toContainEqual(expect.stringMatching(/giving up after 10 driver failures/));
  });

  it("fails with EIO when the driver does not come back (RS restarts off), and counts it", () => {
    const sys = boot(writeSteps(20), { vfsParams: "buffers=16 wait=100", restart: false });
    expect(sys.runUntil(() => script(sys).i >= 5, 1_000_000_000, 100_000)).toBe("done");
    breakDriver(sys);
    expect(sys.runUntil(() => script(sys).done, 1_000_000_000)).toBe("done");
    const statuses = script(sys).replies.map((x) => x.status);
    expect(statuses).toContain(-EIO);
    expect(statuses[statuses.length - 1]).toBe(-EIO); // SYNC cannot reach the disk
    const v = vfsState(sys);
    expect(vfsView(sys).driver.status).toBe("failed");
    expect(v.stats).toMatchObject({ driverFailures: 1, recoveries: 0, recoveryTimeouts: 1 });
    expect(v.stats.eio).toBe(statuses.filter((s) => s === -EIO).length);
  });
});
