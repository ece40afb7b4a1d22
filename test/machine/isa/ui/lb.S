/*
 * lb: load a byte, sign-extended to 32 bits.
 * The table ld_tbl holds, in bytes: 00 ff 7f 80 f0 0f f0 0f ...; see its words at the end.
 * Misaligned addresses trap on this machine: mi/ma_load.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* from the start of the table, positive offsets: every byte of it */
    LD(2, lb, 0x00000000, 0, ld_tbl)
    LD(3, lb, 0xffffffff, 1, ld_tbl)
    LD(4, lb, 0x0000007f, 2, ld_tbl)
    LD(5, lb, 0xffffff80, 3, ld_tbl)
    LD(6, lb, 0xfffffff0, 4, ld_tbl)
    LD(7, lb, 0x0000000f, 5, ld_tbl)
    LD(8, lb, 0xfffffff0, 6, ld_tbl)
    LD(9, lb, 0x0000000f, 7, ld_tbl)
    LD(10, lb, 0xffffff98, 8, ld_tbl)
    LD(11, lb, 0xffffffba, 9, ld_tbl)
    LD(12, lb, 0xffffffdc, 10, ld_tbl)
    LD(13, lb, 0xfffffffe, 11, ld_tbl)
    LD(14, lb, 0x00000067, 12, ld_tbl)
    LD(15, lb, 0x00000045, 13, ld_tbl)
    LD(16, lb, 0x00000023, 14, ld_tbl)
    LD(17, lb, 0x00000001, 15, ld_tbl)
    LD(18, lb, 0xffffffff, 16, ld_tbl)
    LD(19, lb, 0xffffffff, 17, ld_tbl)
    LD(20, lb, 0xffffffff, 18, ld_tbl)
    LD(21, lb, 0xffffffff, 19, ld_tbl)
    LD(22, lb, 0x00000000, 20, ld_tbl)
    LD(23, lb, 0x00000000, 21, ld_tbl)
    LD(24, lb, 0x00000000, 22, ld_tbl)
    LD(25, lb, 0x00000000, 23, ld_tbl)
    LD(26, lb, 0x00000000, 24, ld_tbl)
    LD(27, lb, 0xffffff80, 25, ld_tbl)
    LD(28, lb, 0xffffffff, 26, ld_tbl)
    LD(29, lb, 0x0000007f, 27, ld_tbl)
    LD(30, lb, 0xffffffff, 28, ld_tbl)
    LD(31, lb, 0x0000007f, 29, ld_tbl)
    LD(32, lb, 0x00000000, 30, ld_tbl)
    LD(33, lb, 0xffffff80, 31, ld_tbl)

    /* from the end of the table, negative offsets; from the middle */
    LD(34, lb, 0xfffffff0, -28, ld_tbl+32)
    LD(35, lb, 0xffffff98, -24, ld_tbl+32)
    LD(36, lb, 0x00000045, -19, ld_tbl+32)
    LD(37, lb, 0x00000000, -12, ld_tbl+32)
    LD(38, lb, 0xffffff80, -1, ld_tbl+32)
    LD(39, lb, 0x00000000, -16, ld_tbl+16)
    LD(40, lb, 0x00000001, -1, ld_tbl+16)
    LD(41, lb, 0xffffffff, 0, ld_tbl+16)
    LD(42, lb, 0x00000000, 7, ld_tbl+16)

    /* the largest offsets: +2047 and -2048 */
    LD(43, lb, 0x00000067, 2047, ld_tbl+12-2047)
    LD(44, lb, 0xffffff98, -2048, ld_tbl+8+2048)

    /* rd = rs1, rd = x0 (load done, value discarded), bypass of the loaded value and of the base */
    LD_RD1(45, lb, 0xffffff98, 8, ld_tbl)
    LD_RD1(46, lb, 0x00000000, -16, ld_tbl+16)
    LD_ZD(47, lb, 4, ld_tbl)
    LD_FWD(48, lb, 0xffffff98, 8, ld_tbl, 0)
    LD_FWD(49, lb, 0x00000067, 12, ld_tbl, 1)
    LD_FWD(50, lb, 0xffffffff, 16, ld_tbl, 2)
    LD_SRC(51, lb, 0x00000000, 24, ld_tbl, 0)
    LD_SRC(52, lb, 0x00000000, 20, ld_tbl, 1)
    LD_SRC(53, lb, 0xffffffff, 16, ld_tbl, 2)

    /* the load leaves the memory as it was */
    CASE(54)
    la x11, ld_tbl
    lb x13, 0(x11)
    lw x14, 0(x11)
    EXPECT(x14, 0x807fff00)

BH_END

#include "bh_ld_table.h"
