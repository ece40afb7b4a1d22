/*
 * slti: rd = 1 if rs1 < sext(imm12) as signed numbers.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = slti(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, slti, 0x00000000, 0x00000000, 0)
    RI(3, slti, 0x00000001, 0x00000000, 1)
    RI(4, slti, 0x00000000, 0x00000001, 0)
    RI(5, slti, 0x00000001, 0xffffffff, 0)
    RI(6, slti, 0x00000000, 0x00000000, -1)
    RI(7, slti, 0x00000000, 0xffffffff, -1)
    RI(8, slti, 0x00000001, 0xffffffff, 1)
    RI(9, slti, 0x00000000, 0x00000001, -1)
    RI(10, slti, 0x00000001, 0x80000000, 2047)
    RI(11, slti, 0x00000000, 0x7fffffff, -2048)
    RI(12, slti, 0x00000001, 0x80000000, 0)
    RI(13, slti, 0x00000000, 0x7fffffff, 2047)
    RI(14, slti, 0x00000000, 0xfffff800, -2048)
    RI(15, slti, 0x00000001, 0xfffff7ff, -2048)
    RI(16, slti, 0x00000001, 0xfffff800, -2047)
    RI(17, slti, 0x00000001, 0x000007fe, 2047)
    RI(18, slti, 0x00000000, 0x000007ff, 2047)
    RI(19, slti, 0x00000000, 0x00000800, 2047)
    RI(20, slti, 0x00000000, 0xfffff800, -2048)
    RI(21, slti, 0x00000001, 0xfffff7ff, -2048)
    RI(22, slti, 0x00000000, 0x7fffffff, -1)
    RI(23, slti, 0x00000001, 0x80000000, -1)
    RI(24, slti, 0x00000001, 0xfffffffe, -1)
    RI(25, slti, 0x00000001, 0xfffffffe, 1)

    /* register file indexing */
    RI_REGS(26, slti, 0x00000001, 0xffffffff, 1, x1, x2)
    RI_REGS(27, slti, 0x00000001, 0x80000000, 2047, x29, x28)
    RI_REGS(28, slti, 0x00000001, 0xffffffff, 2047, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(29, slti, 0x00000001, 0xffffffff, 0)
    RI_RD1(30, slti, 0x00000000, 0xffffffff, -1)
    RI_Z1(31, slti, 0x00000000, 0)
    RI_Z1(32, slti, 0x00000000, -1)
    RI_ZD(33, slti, 0xffffffff, 0)
    RI_ZD(34, slti, 0xffffffff, -1)

    /* bypass */
    RI_FWD(35, slti, 0x00000001, 0x00000000, 1, 0)
    RI_FWD(36, slti, 0x00000000, 0x00000001, 0, 1)
    RI_FWD(37, slti, 0x00000001, 0xffffffff, 0, 2)
    RI_SRC(38, slti, 0x00000000, 0x00000000, -1, 0)
    RI_SRC(39, slti, 0x00000000, 0xffffffff, -1, 1)
    RI_SRC(40, slti, 0x00000001, 0xffffffff, 1, 2)
BH_END
