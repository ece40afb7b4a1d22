/*
 * lbu: load a byte, zero-extended.
 * The table ld_tbl holds, in bytes: 00 ff 7f 80 f0 0f f0 0f ...; see its words at the end.
 * Misaligned addresses trap on this machine: mi/ma_load.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* from the start of the table, positive offsets: every byte of it */
    LD(2, lbu, 0x00000000, 0, ld_tbl)
    LD(3, lbu, 0x000000ff, 1, ld_tbl)
    LD(4, lbu, 0x0000007f, 2, ld_tbl)
    LD(5, lbu, 0x00000080, 3, ld_tbl)
    LD(6, lbu, 0x000000f0, 4, ld_tbl)
    LD(7, lbu, 0x0000000f, 5, ld_tbl)
    LD(8, lbu, 0x000000f0, 6, ld_tbl)
    LD(9, lbu, 0x0000000f, 7, ld_tbl)
    LD(10, lbu, 0x00000098, 8, ld_tbl)
    LD(11, lbu, 0x000000ba, 9, ld_tbl)
    LD(12, lbu, 0x000000dc, 10, ld_tbl)
    LD(13, lbu, 0x000000fe, 11, ld_tbl)
    LD(14, lbu, 0x00000067, 12, ld_tbl)
    LD(15, lbu, 0x00000045, 13, ld_tbl)
    LD(16, lbu, 0x00000023, 14, ld_tbl)
    LD(17, lbu, 0x00000001, 15, ld_tbl)
    LD(18, lbu, 0x000000ff, 16, ld_tbl)
    LD(19, lbu, 0x000000ff, 17, ld_tbl)
    LD(20, lbu, 0x000000ff, 18, ld_tbl)
    LD(21, lbu, 0x000000ff, 19, ld_tbl)
    LD(22, lbu, 0x00000000, 20, ld_tbl)
    LD(23, lbu, 0x00000000, 21, ld_tbl)
    LD(24, lbu, 0x00000000, 22, ld_tbl)
    LD(25, lbu, 0x00000000, 23, ld_tbl)
    LD(26, lbu, 0x00000000, 24, ld_tbl)
    LD(27, lbu, 0x00000080, 25, ld_tbl)
    LD(28, lbu, 0x000000ff, 26, ld_tbl)
    LD(29, lbu, 0x0000007f, 27, ld_tbl)
    LD(30, lbu, 0x000000ff, 28, ld_tbl)
    LD(31, lbu, 0x0000007f, 29, ld_tbl)
    LD(32, lbu, 0x00000000, 30, ld_tbl)
    LD(33, lbu, 0x00000080, 31, ld_tbl)

    /* from the end of the table, negative offsets; from the middle */
    LD(34, lbu, 0x000000f0, -28, ld_tbl+32)
    LD(35, lbu, 0x00000098, -24, ld_tbl+32)
    LD(36, lbu, 0x00000045, -19, ld_tbl+32)
    LD(37, lbu, 0x00000000, -12, ld_tbl+32)
    LD(38, lbu, 0x00000080, -1, ld_tbl+32)
    LD(39, lbu, 0x00000000, -16, ld_tbl+16)
    LD(40, lbu, 0x00000001, -1, ld_tbl+16)
    LD(41, lbu, 0x000000ff, 0, ld_tbl+16)
    LD(42, lbu, 0x00000000, 7, ld_tbl+16)

    /* the largest offsets: +2047 and -2048 */
    LD(43, lbu, 0x00000067, 2047, ld_tbl+12-2047)
    LD(44, lbu, 0x00000098, -2048, ld_tbl+8+2048)

    /* rd = rs1, rd = x0 (load done, value discarded), bypass of the loaded value and of the base */
    LD_RD1(45, lbu, 0x00000098, 8, ld_tbl)
    LD_RD1(46, lbu, 0x00000000, -16, ld_tbl+16)
    LD_ZD(47, lbu, 4, ld_tbl)
    LD_FWD(48, lbu, 0x00000098, 8, ld_tbl, 0)
    LD_FWD(49, lbu, 0x00000067, 12, ld_tbl, 1)
    LD_FWD(50, lbu, 0x000000ff, 16, ld_tbl, 2)
    LD_SRC(51, lbu, 0x00000000, 24, ld_tbl, 0)
    LD_SRC(52, lbu, 0x00000000, 20, ld_tbl, 1)
    LD_SRC(53, lbu, 0x000000ff, 16, ld_tbl, 2)

    /* the load leaves the memory as it was */
    CASE(54)
    la x11, ld_tbl
    lbu x13, 0(x11)
    lw x14, 0(x11)
    EXPECT(x14, 0x807fff00)

BH_END

#include "bh_ld_table.h"
