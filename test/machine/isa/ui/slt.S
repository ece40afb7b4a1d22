/*
 * slt: rd = 1 if rs1 < rs2 as signed numbers, else 0.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = slt(rs1, rs2) */
    RR(2, slt, 0x00000000, 0x00000000, 0x00000000)
    RR(3, slt, 0x00000001, 0x00000000, 0x00000001)
    RR(4, slt, 0x00000000, 0x00000001, 0x00000000)
    RR(5, slt, 0x00000001, 0xffffffff, 0x00000000)
    RR(6, slt, 0x00000000, 0x00000000, 0xffffffff)
    RR(7, slt, 0x00000000, 0xffffffff, 0xffffffff)
    RR(8, slt, 0x00000001, 0xffffffff, 0x00000001)
    RR(9, slt, 0x00000000, 0x00000001, 0xffffffff)
    RR(10, slt, 0x00000001, 0x80000000, 0x7fffffff)
    RR(11, slt, 0x00000000, 0x7fffffff, 0x80000000)
    RR(12, slt, 0x00000001, 0x80000000, 0x00000000)
    RR(13, slt, 0x00000000, 0x00000000, 0x80000000)
    RR(14, slt, 0x00000001, 0x80000000, 0xffffffff)
    RR(15, slt, 0x00000000, 0xffffffff, 0x80000000)
    RR(16, slt, 0x00000000, 0x7fffffff, 0x7ffffffe)
    RR(17, slt, 0x00000001, 0x7ffffffe, 0x7fffffff)
    RR(18, slt, 0x00000001, 0xfffffffe, 0xffffffff)
    RR(19, slt, 0x00000000, 0xffffffff, 0xfffffffe)
    RR(20, slt, 0x00000000, 0x80000001, 0x80000000)
    RR(21, slt, 0x00000001, 0x80000000, 0x80000001)
    RR(22, slt, 0x00000000, 0x12345678, 0x12345678)
    RR(23, slt, 0x00000001, 0xfffff800, 0x00000800)
    RR(24, slt, 0x00000001, 0x00000003, 0x00000007)
    RR(25, slt, 0x00000000, 0x00000007, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(26, slt, 0x00000000, 0x00000001, 0xffffffff, x1, x2, x4)
    RR_REGS(27, slt, 0x00000000, 0x00000001, 0xffffffff, x29, x28, x27)
    RR_REGS(28, slt, 0x00000000, 0x00000001, 0xffffffff, x10, x15, x20)
    RR_REGS(29, slt, 0x00000000, 0xffffffff, 0xffffffff, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(30, slt, 0x00000001, 0x80000000, 0x7fffffff)
    RR_RD2(31, slt, 0x00000001, 0xfffffffe, 0xffffffff)
    RR_SAME(32, slt, 0x00000000, 0x00000003)
    RR_SAME(33, slt, 0x00000000, 0xffffffff)
    RR_CHAIN(34, slt, 0x00000000, 0xfffffffe, 0xffffffff)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(35, slt, 0x00000001, 0x7fffffff)
    RR_Z1(36, slt, 0x00000000, 0xffffffff)
    RR_Z2(37, slt, 0x00000001, 0x80000000)
    RR_Z2(38, slt, 0x00000001, 0x80000000)
    RR_Z12(39, slt, 0x00000000)
    RR_ZD(40, slt, 0x80000000, 0x7fffffff)
    RR_ZD(41, slt, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(42, slt, 0x00000001, 0x00000000, 0x00000001, 0)
    RR_FWD(43, slt, 0x00000000, 0x00000001, 0x00000000, 1)
    RR_FWD(44, slt, 0x00000001, 0xffffffff, 0x00000000, 2)
    RR_SRC(45, slt, 0x00000000, 0x00000001, 0x00000000, 0, 0)
    RR_SRC(46, slt, 0x00000001, 0xffffffff, 0x00000000, 0, 1)
    RR_SRC(47, slt, 0x00000000, 0x00000000, 0xffffffff, 0, 2)
    RR_SRC(48, slt, 0x00000000, 0xffffffff, 0xffffffff, 1, 0)
    RR_SRC(49, slt, 0x00000001, 0xffffffff, 0x00000001, 1, 1)
    RR_SRC(50, slt, 0x00000000, 0x00000001, 0xffffffff, 2, 0)
BH_END
