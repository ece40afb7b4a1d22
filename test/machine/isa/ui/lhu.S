/*
 * lhu: load a halfword, zero-extended.
 * The table ld_tbl holds, in bytes: 00 ff 7f 80 f0 0f f0 0f ...; see its words at the end.
 * Misaligned addresses trap on this machine: mi/ma_load.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* from the start of the table, positive offsets: every halfword of it */
    LD(2, lhu, 0x0000ff00, 0, ld_tbl)
    LD(3, lhu, 0x0000807f, 2, ld_tbl)
    LD(4, lhu, 0x00000ff0, 4, ld_tbl)
    LD(5, lhu, 0x00000ff0, 6, ld_tbl)
    LD(6, lhu, 0x0000ba98, 8, ld_tbl)
    LD(7, lhu, 0x0000fedc, 10, ld_tbl)
    LD(8, lhu, 0x00004567, 12, ld_tbl)
    LD(9, lhu, 0x00000123, 14, ld_tbl)
    LD(10, lhu, 0x0000ffff, 16, ld_tbl)
    LD(11, lhu, 0x0000ffff, 18, ld_tbl)
    LD(12, lhu, 0x00000000, 20, ld_tbl)
    LD(13, lhu, 0x00000000, 22, ld_tbl)
    LD(14, lhu, 0x00008000, 24, ld_tbl)
    LD(15, lhu, 0x00007fff, 26, ld_tbl)
    LD(16, lhu, 0x00007fff, 28, ld_tbl)
    LD(17, lhu, 0x00008000, 30, ld_tbl)

    /* from the end of the table, negative offsets; from the middle */
    LD(18, lhu, 0x00000ff0, -28, ld_tbl+32)
    LD(19, lhu, 0x0000ba98, -24, ld_tbl+32)
    LD(20, lhu, 0x00004567, -20, ld_tbl+32)
    LD(21, lhu, 0x00000000, -12, ld_tbl+32)
    LD(22, lhu, 0x00008000, -2, ld_tbl+32)
    LD(23, lhu, 0x0000ff00, -16, ld_tbl+16)
    LD(24, lhu, 0x00000123, -2, ld_tbl+16)
    LD(25, lhu, 0x0000ffff, 0, ld_tbl+16)
    LD(26, lhu, 0x00000000, 6, ld_tbl+16)

    /* the largest offsets: +2047 and -2048 */
    LD(27, lhu, 0x00004567, 2047, ld_tbl+12-2047)
    LD(28, lhu, 0x0000ba98, -2048, ld_tbl+8+2048)

    /* rd = rs1, rd = x0 (load done, value discarded), bypass of the loaded value and of the base */
    LD_RD1(29, lhu, 0x0000ba98, 8, ld_tbl)
    LD_RD1(30, lhu, 0x0000ff00, -16, ld_tbl+16)
    LD_ZD(31, lhu, 4, ld_tbl)
    LD_FWD(32, lhu, 0x0000ba98, 8, ld_tbl, 0)
    LD_FWD(33, lhu, 0x00004567, 12, ld_tbl, 1)
    LD_FWD(34, lhu, 0x0000ffff, 16, ld_tbl, 2)
    LD_SRC(35, lhu, 0x00008000, 24, ld_tbl, 0)
    LD_SRC(36, lhu, 0x00000000, 20, ld_tbl, 1)
    LD_SRC(37, lhu, 0x0000ffff, 16, ld_tbl, 2)

    /* the load leaves the memory as it was */
    CASE(38)
    la x11, ld_tbl
    lhu x13, 0(x11)
    lw x14, 0(x11)
    EXPECT(x14, 0x807fff00)

BH_END

#include "bh_ld_table.h"
