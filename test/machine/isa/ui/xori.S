/*
 * xori: rd = rs1 ^ sext(imm12); xori rd, rs, -1 is not.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = xori(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, xori, 0x00000000, 0x00000000, 0)
    RI(3, xori, 0x00000000, 0xffffffff, -1)
    RI(4, xori, 0xffffffff, 0xffffffff, 0)
    RI(5, xori, 0xffffffff, 0x00000000, -1)
    RI(6, xori, 0xff00fff0, 0xff00ff00, 240)
    RI(7, xori, 0xf00ff0ff, 0x0ff00ff0, -241)
    RI(8, xori, 0x00ff07f0, 0x00ff00ff, 1807)
    RI(9, xori, 0x0ff0080f, 0xf00ff00f, -2048)
    RI(10, xori, 0xaaaaafff, 0x55555555, -1366)
    RI(11, xori, 0x55555000, 0x55555555, 1365)
    RI(12, xori, 0x800007ff, 0x80000000, 2047)
    RI(13, xori, 0x800007ff, 0x7fffffff, -2048)
    RI(14, xori, 0x12345187, 0x12345678, 2047)
    RI(15, xori, 0xedcba987, 0x12345678, -1)
    RI(16, xori, 0x00000003, 0x00000001, 2)
    RI(17, xori, 0xffff07ff, 0x0000ffff, -2048)

    /* register file indexing */
    RI_REGS(18, xori, 0x00ff07f0, 0x00ff00ff, 1807, x1, x2)
    RI_REGS(19, xori, 0xaaaaafff, 0x55555555, -1366, x29, x28)
    RI_REGS(20, xori, 0xff00fa55, 0x00ff00ff, -1366, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(21, xori, 0xffffffff, 0x00000000, -1)
    RI_RD1(22, xori, 0xf00ff0ff, 0x0ff00ff0, -241)
    RI_Z1(23, xori, 0xffffffff, -1)
    RI_Z1(24, xori, 0xffffff0f, -241)
    RI_ZD(25, xori, 0x00000000, -1)
    RI_ZD(26, xori, 0xffffffff, -241)

    /* bypass */
    RI_FWD(27, xori, 0x00000000, 0xffffffff, -1, 0)
    RI_FWD(28, xori, 0xffffffff, 0xffffffff, 0, 1)
    RI_FWD(29, xori, 0xffffffff, 0x00000000, -1, 2)
    RI_SRC(30, xori, 0xff00fff0, 0xff00ff00, 240, 0)
    RI_SRC(31, xori, 0xf00ff0ff, 0x0ff00ff0, -241, 1)
    RI_SRC(32, xori, 0x00ff07f0, 0x00ff00ff, 1807, 2)
BH_END
