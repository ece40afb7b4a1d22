/*
 * ori: rd = rs1 | sext(imm12).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = ori(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, ori, 0x00000000, 0x00000000, 0)
    RI(3, ori, 0xffffffff, 0xffffffff, -1)
    RI(4, ori, 0xffffffff, 0xffffffff, 0)
    RI(5, ori, 0xffffffff, 0x00000000, -1)
    RI(6, ori, 0xff00fff0, 0xff00ff00, 240)
    RI(7, ori, 0xffffffff, 0x0ff00ff0, -241)
    RI(8, ori, 0x00ff07ff, 0x00ff00ff, 1807)
    RI(9, ori, 0xfffff80f, 0xf00ff00f, -2048)
    RI(10, ori, 0xffffffff, 0x55555555, -1366)
    RI(11, ori, 0x55555555, 0x55555555, 1365)
    RI(12, ori, 0x800007ff, 0x80000000, 2047)
    RI(13, ori, 0xffffffff, 0x7fffffff, -2048)
    RI(14, ori, 0x123457ff, 0x12345678, 2047)
    RI(15, ori, 0xffffffff, 0x12345678, -1)
    RI(16, ori, 0x00000003, 0x00000001, 2)
    RI(17, ori, 0xffffffff, 0x0000ffff, -2048)

    /* register file indexing */
    RI_REGS(18, ori, 0x00ff07ff, 0x00ff00ff, 1807, x1, x2)
    RI_REGS(19, ori, 0xffffffff, 0x55555555, -1366, x29, x28)
    RI_REGS(20, ori, 0xfffffaff, 0x00ff00ff, -1366, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(21, ori, 0xffffffff, 0x00000000, -1)
    RI_RD1(22, ori, 0xffffffff, 0x0ff00ff0, -241)
    RI_Z1(23, ori, 0xffffffff, -1)
    RI_Z1(24, ori, 0xffffff0f, -241)
    RI_ZD(25, ori, 0x00000000, -1)
    RI_ZD(26, ori, 0xffffffff, -241)

    /* bypass */
    RI_FWD(27, ori, 0xffffffff, 0xffffffff, -1, 0)
    RI_FWD(28, ori, 0xffffffff, 0xffffffff, 0, 1)
    RI_FWD(29, ori, 0xffffffff, 0x00000000, -1, 2)
    RI_SRC(30, ori, 0xff00fff0, 0xff00ff00, 240, 0)
    RI_SRC(31, ori, 0xffffffff, 0x0ff00ff0, -241, 1)
    RI_SRC(32, ori, 0x00ff07ff, 0x00ff00ff, 1807, 2)
BH_END
