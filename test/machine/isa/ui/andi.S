/*
 * andi: rd = rs1 & sext(imm12).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = andi(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, andi, 0x00000000, 0x00000000, 0)
    RI(3, andi, 0xffffffff, 0xffffffff, -1)
    RI(4, andi, 0x00000000, 0xffffffff, 0)
    RI(5, andi, 0x00000000, 0x00000000, -1)
    RI(6, andi, 0x00000000, 0xff00ff00, 240)
    RI(7, andi, 0x0ff00f00, 0x0ff00ff0, -241)
    RI(8, andi, 0x0000000f, 0x00ff00ff, 1807)
    RI(9, andi, 0xf00ff000, 0xf00ff00f, -2048)
    RI(10, andi, 0x55555000, 0x55555555, -1366)
    RI(11, andi, 0x00000555, 0x55555555, 1365)
    RI(12, andi, 0x00000000, 0x80000000, 2047)
    RI(13, andi, 0x7ffff800, 0x7fffffff, -2048)
    RI(14, andi, 0x00000678, 0x12345678, 2047)
    RI(15, andi, 0x12345678, 0x12345678, -1)
    RI(16, andi, 0x00000000, 0x00000001, 2)
    RI(17, andi, 0x0000f800, 0x0000ffff, -2048)

    /* register file indexing */
    RI_REGS(18, andi, 0x0000000f, 0x00ff00ff, 1807, x1, x2)
    RI_REGS(19, andi, 0x55555000, 0x55555555, -1366, x29, x28)
    RI_REGS(20, andi, 0x00ff00aa, 0x00ff00ff, -1366, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(21, andi, 0x00000000, 0x00000000, -1)
    RI_RD1(22, andi, 0x0ff00f00, 0x0ff00ff0, -241)
    RI_Z1(23, andi, 0x00000000, -1)
    RI_Z1(24, andi, 0x00000000, -241)
    RI_ZD(25, andi, 0x00000000, -1)
    RI_ZD(26, andi, 0xffffffff, -241)

    /* bypass */
    RI_FWD(27, andi, 0xffffffff, 0xffffffff, -1, 0)
    RI_FWD(28, andi, 0x00000000, 0xffffffff, 0, 1)
    RI_FWD(29, andi, 0x00000000, 0x00000000, -1, 2)
    RI_SRC(30, andi, 0x00000000, 0xff00ff00, 240, 0)
    RI_SRC(31, andi, 0x0ff00f00, 0x0ff00ff0, -241, 1)
    RI_SRC(32, andi, 0x0000000f, 0x00ff00ff, 1807, 2)
BH_END
