/*
 * sltiu: rd = 1 if rs1 < sext(imm12) as unsigned numbers: the immediate is sign-extended
 * first, so -1 compares as 0xffffffff (sltiu rd, rs, 1 is seqz).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = sltiu(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, sltiu, 0x00000000, 0x00000000, 0)
    RI(3, sltiu, 0x00000001, 0x00000000, 1)
    RI(4, sltiu, 0x00000000, 0x00000001, 0)
    RI(5, sltiu, 0x00000000, 0xffffffff, 0)
    RI(6, sltiu, 0x00000001, 0x00000000, -1)
    RI(7, sltiu, 0x00000000, 0xffffffff, -1)
    RI(8, sltiu, 0x00000000, 0xffffffff, 1)
    RI(9, sltiu, 0x00000001, 0x00000001, -1)
    RI(10, sltiu, 0x00000000, 0x80000000, 2047)
    RI(11, sltiu, 0x00000001, 0x7fffffff, -2048)
    RI(12, sltiu, 0x00000000, 0x80000000, 0)
    RI(13, sltiu, 0x00000000, 0x7fffffff, 2047)
    RI(14, sltiu, 0x00000000, 0xfffff800, -2048)
    RI(15, sltiu, 0x00000001, 0xfffff7ff, -2048)
    RI(16, sltiu, 0x00000001, 0xfffff800, -2047)
    RI(17, sltiu, 0x00000001, 0x000007fe, 2047)
    RI(18, sltiu, 0x00000000, 0x000007ff, 2047)
    RI(19, sltiu, 0x00000000, 0x00000800, 2047)
    RI(20, sltiu, 0x00000000, 0xfffff800, -2048)
    RI(21, sltiu, 0x00000001, 0xfffff7ff, -2048)
    RI(22, sltiu, 0x00000001, 0x7fffffff, -1)
    RI(23, sltiu, 0x00000001, 0x80000000, -1)
    RI(24, sltiu, 0x00000001, 0xfffffffe, -1)
    RI(25, sltiu, 0x00000000, 0xfffffffe, 1)

    /* register file indexing */
    RI_REGS(26, sltiu, 0x00000000, 0xffffffff, 1, x1, x2)
    RI_REGS(27, sltiu, 0x00000000, 0x80000000, 2047, x29, x28)
    RI_REGS(28, sltiu, 0x00000000, 0xffffffff, 2047, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(29, sltiu, 0x00000000, 0xffffffff, 0)
    RI_RD1(30, sltiu, 0x00000000, 0xffffffff, -1)
    RI_Z1(31, sltiu, 0x00000000, 0)
    RI_Z1(32, sltiu, 0x00000001, -1)
    RI_ZD(33, sltiu, 0xffffffff, 0)
    RI_ZD(34, sltiu, 0xffffffff, -1)

    /* bypass */
    RI_FWD(35, sltiu, 0x00000001, 0x00000000, 1, 0)
    RI_FWD(36, sltiu, 0x00000000, 0x00000001, 0, 1)
    RI_FWD(37, sltiu, 0x00000000, 0xffffffff, 0, 2)
    RI_SRC(38, sltiu, 0x00000001, 0x00000000, -1, 0)
    RI_SRC(39, sltiu, 0x00000000, 0xffffffff, -1, 1)
    RI_SRC(40, sltiu, 0x00000000, 0xffffffff, 1, 2)
BH_END
