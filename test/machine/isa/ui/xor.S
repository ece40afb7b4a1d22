/*
 * xor: bitwise exclusive or.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = xor(rs1, rs2) */
    RR(2, xor, 0x00000000, 0x00000000, 0x00000000)
    RR(3, xor, 0x00000000, 0xffffffff, 0xffffffff)
    RR(4, xor, 0xffffffff, 0xffffffff, 0x00000000)
    RR(5, xor, 0xffffffff, 0x00000000, 0xffffffff)
    RR(6, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
    RR(7, xor, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0)
    RR(8, xor, 0x0ff00ff0, 0x00ff00ff, 0x0f0f0f0f)
    RR(9, xor, 0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0)
    RR(10, xor, 0xffffffff, 0x55555555, 0xaaaaaaaa)
    RR(11, xor, 0x00000000, 0x55555555, 0x55555555)
    RR(12, xor, 0xffffffff, 0x80000000, 0x7fffffff)
    RR(13, xor, 0x00000000, 0x80000000, 0x80000000)
    RR(14, xor, 0xcc99e897, 0x12345678, 0xdeadbeef)
    RR(15, xor, 0x00000003, 0x00000001, 0x00000002)
    RR(16, xor, 0x80000000, 0x7fffffff, 0xffffffff)
    RR(17, xor, 0xffffffff, 0x0000ffff, 0xffff0000)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(18, xor, 0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0, x1, x2, x4)
    RR_REGS(19, xor, 0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0, x29, x28, x27)
    RR_REGS(20, xor, 0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0, x10, x15, x20)
    RR_REGS(21, xor, 0x00000000, 0xf0f0f0f0, 0xf0f0f0f0, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(22, xor, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0)
    RR_RD2(23, xor, 0xffffffff, 0x55555555, 0xaaaaaaaa)
    RR_SAME(24, xor, 0x00000000, 0x00000001)
    RR_SAME(25, xor, 0x00000000, 0xffffffff)
    RR_CHAIN(26, xor, 0x55555555, 0x55555555, 0xaaaaaaaa)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(27, xor, 0xf0f0f0f0, 0xf0f0f0f0)
    RR_Z1(28, xor, 0xffffffff, 0xffffffff)
    RR_Z2(29, xor, 0x0ff00ff0, 0x0ff00ff0)
    RR_Z2(30, xor, 0x80000000, 0x80000000)
    RR_Z12(31, xor, 0x00000000)
    RR_ZD(32, xor, 0x0ff00ff0, 0xf0f0f0f0)
    RR_ZD(33, xor, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(34, xor, 0x00000000, 0xffffffff, 0xffffffff, 0)
    RR_FWD(35, xor, 0xffffffff, 0xffffffff, 0x00000000, 1)
    RR_FWD(36, xor, 0xffffffff, 0x00000000, 0xffffffff, 2)
    RR_SRC(37, xor, 0xffffffff, 0xffffffff, 0x00000000, 0, 0)
    RR_SRC(38, xor, 0xffffffff, 0x00000000, 0xffffffff, 0, 1)
    RR_SRC(39, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f, 0, 2)
    RR_SRC(40, xor, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0, 1, 0)
    RR_SRC(41, xor, 0x0ff00ff0, 0x00ff00ff, 0x0f0f0f0f, 1, 1)
    RR_SRC(42, xor, 0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0, 2, 0)
BH_END
