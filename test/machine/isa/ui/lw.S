/*
 * lw: load a word (little endian).
 * The table ld_tbl holds, in bytes: 00 ff 7f 80 f0 0f f0 0f ...; see its words at the end.
 * Misaligned addresses trap on this machine: mi/ma_load.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* from the start of the table, positive offsets: every word of it */
    LD(2, lw, 0x807fff00, 0, ld_tbl)
    LD(3, lw, 0x0ff00ff0, 4, ld_tbl)
    LD(4, lw, 0xfedcba98, 8, ld_tbl)
    LD(5, lw, 0x01234567, 12, ld_tbl)
    LD(6, lw, 0xffffffff, 16, ld_tbl)
    LD(7, lw, 0x00000000, 20, ld_tbl)
    LD(8, lw, 0x7fff8000, 24, ld_tbl)
    LD(9, lw, 0x80007fff, 28, ld_tbl)

    /* from the end of the table, negative offsets; from the middle */
    LD(10, lw, 0x0ff00ff0, -28, ld_tbl+32)
    LD(11, lw, 0xfedcba98, -24, ld_tbl+32)
    LD(12, lw, 0x01234567, -20, ld_tbl+32)
    LD(13, lw, 0x00000000, -12, ld_tbl+32)
    LD(14, lw, 0x80007fff, -4, ld_tbl+32)
    LD(15, lw, 0x807fff00, -16, ld_tbl+16)
    LD(16, lw, 0x01234567, -4, ld_tbl+16)
    LD(17, lw, 0xffffffff, 0, ld_tbl+16)
    LD(18, lw, 0x00000000, 4, ld_tbl+16)

    /* the largest offsets: +2047 and -2048 */
    LD(19, lw, 0x01234567, 2047, ld_tbl+12-2047)
    LD(20, lw, 0xfedcba98, -2048, ld_tbl+8+2048)

    /* rd = rs1, rd = x0 (load done, value discarded), bypass of the loaded value and of the base */
    LD_RD1(21, lw, 0xfedcba98, 8, ld_tbl)
    LD_RD1(22, lw, 0x807fff00, -16, ld_tbl+16)
    LD_ZD(23, lw, 4, ld_tbl)
    LD_FWD(24, lw, 0xfedcba98, 8, ld_tbl, 0)
    LD_FWD(25, lw, 0x01234567, 12, ld_tbl, 1)
    LD_FWD(26, lw, 0xffffffff, 16, ld_tbl, 2)
    LD_SRC(27, lw, 0x7fff8000, 24, ld_tbl, 0)
    LD_SRC(28, lw, 0x00000000, 20, ld_tbl, 1)
    LD_SRC(29, lw, 0xffffffff, 16, ld_tbl, 2)

    /* the load leaves the memory as it was */
    CASE(30)
    la x11, ld_tbl
    lw x13, 0(x11)
    lw x14, 0(x11)
    EXPECT(x14, 0x807fff00)

BH_END

#include "bh_ld_table.h"
