/*
 * The disk path end to end: the native block client (system/workloads/blockclient.ts) writes a
 * run of blocks through the at_wini driver (real C) and reads them back, by PIO and by DMA, in
 * the minix3 and monolithic builds. The client checks what it reads; the test also checks the
 * bytes on the emulated disk itself, at the offsets the requests named, and that the blocks
 * around them were not touched.
 */
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { driverConf } from "../support/driver.js";
import { DS_DRIVER_UP } from "../../system/kernel/abi.js";
import { SERVER_Q, USER_Q } from "../../system/kernel/params.js";
import { ds } from "../../system/servers/ds.js";
import { dsLookup } from "../../system/servers/ds-table.js";
import { nativeRegion } from "../../system/servers/region.js";
import { blockClient, blockPattern, type BlockClientState } from "../../system/workloads/blockclient.js";
import { bootSystem, native, TICK } from "./harness.js";

const SECTOR = 512;

describe.each([
  ["minix3", 0],
  ["minix3", 1],
  ["monolithic", 0],
  ["monolithic", 1],
])("%s, dma=%i", (build, dma) => {
  it("the block client's writes reach the disk at the right offsets and read back verified", () => {
    const blocks = 3, first = 2, size = 12 * 1024, seed = 17 + dma; // 24 sectors: two driver chunks per block
    const sys = bootSystem({
      build: BUILDS[build],
      boot: [
        native("ds", "ds", "", { priority: SERVER_Q, ipcTo: ["*"] }),
        driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs", "client"], params: `dma=${dma}` }),
        native("client", "blockclient", `driver=at_wini blocks=${blocks} first=${first} size=${size} seed=${seed}`, { priority: USER_Q, ipcTo: ["at_wini"] }),
      ],
      natives: { ds, blockclient: blockClient },
    });
    const client = (): BlockClientState => sys.nativeState<BlockClientState>("client")!;
    expect(sys.runUntil(() => client().phase === "done", 100 * TICK)).toBe("done");

    expect(client()).toMatchObject({ errors: [], mismatches: [], ipcErrors: [], verified: blocks });
    const image = sys.machine.ata.image;
    for (let b = first; b < first + blocks; b++) expect(image.subarray(b * size, (b + 1) * size), `block ${b}`).toEqual(blockPattern(seed, b, size));
    const zero = new Uint8Array(size);
    expect(image.subarray((first - 1) * size, first * size)).toEqual(zero);
    expect(image.subarray((first + blocks) * size, (first + blocks + 1) * size)).toEqual(zero);
    expect(sys.machine.ata.state.sectorsWritten).toBe((blocks * size) / SECTOR);

    expect(sys.kernel.state.console).toContain(`at_wini: BULKHEAD EMULATED DISK, 8192 sectors (4 MiB), ${dma ? "DMA" : "PIO"}\n`);
    expect(dsLookup(nativeRegion(sys.kernel, "ds")!, "drv.blk.at_wini")).toEqual({ key: "drv.blk.at_wini", value: DS_DRIVER_UP, owner: "at_wini" });
    expect(sys.kernel.state.panic).toBeNull();
    expect(sys.kernel.state.events.filter((e) => e.kind !== "start")).toEqual([]);
  });
});
