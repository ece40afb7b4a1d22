/*
 * and: bitwise and.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = and(rs1, rs2) */
    RR(2, and, 0x00000000, 0x00000000, 0x00000000)
    RR(3, and, 0xffffffff, 0xffffffff, 0xffffffff)
    RR(4, and, 0x00000000, 0xffffffff, 0x00000000)
    RR(5, and, 0x00000000, 0x00000000, 0xffffffff)
    RR(6, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
    RR(7, and, 0x00f000f0, 0x0ff00ff0, 0xf0f0f0f0)
    RR(8, and, 0x000f000f, 0x00ff00ff, 0x0f0f0f0f)
    RR(9, and, 0xf000f000, 0xf00ff00f, 0xf0f0f0f0)
    RR(10, and, 0x00000000, 0x55555555, 0xaaaaaaaa)
    RR(11, and, 0x55555555, 0x55555555, 0x55555555)
    RR(12, and, 0x00000000, 0x80000000, 0x7fffffff)
    RR(13, and, 0x80000000, 0x80000000, 0x80000000)
    RR(14, and, 0x12241668, 0x12345678, 0xdeadbeef)
    RR(15, and, 0x00000000, 0x00000001, 0x00000002)
    RR(16, and, 0x7fffffff, 0x7fffffff, 0xffffffff)
    RR(17, and, 0x00000000, 0x0000ffff, 0xffff0000)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(18, and, 0xf000f000, 0xf00ff00f, 0xf0f0f0f0, x1, x2, x4)
    RR_REGS(19, and, 0xf000f000, 0xf00ff00f, 0xf0f0f0f0, x29, x28, x27)
    RR_REGS(20, and, 0xf000f000, 0xf00ff00f, 0xf0f0f0f0, x10, x15, x20)
    RR_REGS(21, and, 0xf0f0f0f0, 0xf0f0f0f0, 0xf0f0f0f0, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(22, and, 0x00f000f0, 0x0ff00ff0, 0xf0f0f0f0)
    RR_RD2(23, and, 0x12241668, 0x12345678, 0xdeadbeef)
    RR_SAME(24, and, 0x0ff00ff0, 0x0ff00ff0)
    RR_SAME(25, and, 0xffffffff, 0xffffffff)
    RR_CHAIN(26, and, 0x12241668, 0x12345678, 0xdeadbeef)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(27, and, 0x00000000, 0xf0f0f0f0)
    RR_Z1(28, and, 0x00000000, 0xffffffff)
    RR_Z2(29, and, 0x00000000, 0x0ff00ff0)
    RR_Z2(30, and, 0x00000000, 0x80000000)
    RR_Z12(31, and, 0x00000000)
    RR_ZD(32, and, 0x0ff00ff0, 0xf0f0f0f0)
    RR_ZD(33, and, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(34, and, 0xffffffff, 0xffffffff, 0xffffffff, 0)
    RR_FWD(35, and, 0x00000000, 0xffffffff, 0x00000000, 1)
    RR_FWD(36, and, 0x00000000, 0x00000000, 0xffffffff, 2)
    RR_SRC(37, and, 0x00000000, 0xffffffff, 0x00000000, 0, 0)
    RR_SRC(38, and, 0x00000000, 0x00000000, 0xffffffff, 0, 1)
    RR_SRC(39, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f, 0, 2)
    RR_SRC(40, and, 0x00f000f0, 0x0ff00ff0, 0xf0f0f0f0, 1, 0)
    RR_SRC(41, and, 0x000f000f, 0x00ff00ff, 0x0f0f0f0f, 1, 1)
    RR_SRC(42, and, 0xf000f000, 0xf00ff00f, 0xf0f0f0f0, 2, 0)
BH_END
