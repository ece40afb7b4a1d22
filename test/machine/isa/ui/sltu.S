/*
 * sltu: rd = 1 if rs1 < rs2 as unsigned numbers, else 0 (sltu rd, x0, rs2 is snez).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = sltu(rs1, rs2) */
    RR(2, sltu, 0x00000000, 0x00000000, 0x00000000)
    RR(3, sltu, 0x00000001, 0x00000000, 0x00000001)
    RR(4, sltu, 0x00000000, 0x00000001, 0x00000000)
    RR(5, sltu, 0x00000000, 0xffffffff, 0x00000000)
    RR(6, sltu, 0x00000001, 0x00000000, 0xffffffff)
    RR(7, sltu, 0x00000000, 0xffffffff, 0xffffffff)
    RR(8, sltu, 0x00000000, 0xffffffff, 0x00000001)
    RR(9, sltu, 0x00000001, 0x00000001, 0xffffffff)
    RR(10, sltu, 0x00000000, 0x80000000, 0x7fffffff)
    RR(11, sltu, 0x00000001, 0x7fffffff, 0x80000000)
    RR(12, sltu, 0x00000000, 0x80000000, 0x00000000)
    RR(13, sltu, 0x00000001, 0x00000000, 0x80000000)
    RR(14, sltu, 0x00000001, 0x80000000, 0xffffffff)
    RR(15, sltu, 0x00000000, 0xffffffff, 0x80000000)
    RR(16, sltu, 0x00000000, 0x7fffffff, 0x7ffffffe)
    RR(17, sltu, 0x00000001, 0x7ffffffe, 0x7fffffff)
    RR(18, sltu, 0x00000001, 0xfffffffe, 0xffffffff)
    RR(19, sltu, 0x00000000, 0xffffffff, 0xfffffffe)
    RR(20, sltu, 0x00000000, 0x80000001, 0x80000000)
    RR(21, sltu, 0x00000001, 0x80000000, 0x80000001)
    RR(22, sltu, 0x00000000, 0x12345678, 0x12345678)
    RR(23, sltu, 0x00000000, 0xfffff800, 0x00000800)
    RR(24, sltu, 0x00000001, 0x00000003, 0x00000007)
    RR(25, sltu, 0x00000000, 0x00000007, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(26, sltu, 0x00000001, 0x00000001, 0xffffffff, x1, x2, x4)
    RR_REGS(27, sltu, 0x00000001, 0x00000001, 0xffffffff, x29, x28, x27)
    RR_REGS(28, sltu, 0x00000001, 0x00000001, 0xffffffff, x10, x15, x20)
    RR_REGS(29, sltu, 0x00000000, 0xffffffff, 0xffffffff, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(30, sltu, 0x00000001, 0x7fffffff, 0x80000000)
    RR_RD2(31, sltu, 0x00000001, 0xfffffffe, 0xffffffff)
    RR_SAME(32, sltu, 0x00000000, 0x00000001)
    RR_SAME(33, sltu, 0x00000000, 0xffffffff)
    RR_CHAIN(34, sltu, 0x00000001, 0xfffffffe, 0xffffffff)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(35, sltu, 0x00000001, 0x80000000)
    RR_Z1(36, sltu, 0x00000001, 0xffffffff)
    RR_Z2(37, sltu, 0x00000000, 0x7fffffff)
    RR_Z2(38, sltu, 0x00000000, 0x80000000)
    RR_Z12(39, sltu, 0x00000000)
    RR_ZD(40, sltu, 0x7fffffff, 0x80000000)
    RR_ZD(41, sltu, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(42, sltu, 0x00000001, 0x00000000, 0x00000001, 0)
    RR_FWD(43, sltu, 0x00000000, 0x00000001, 0x00000000, 1)
    RR_FWD(44, sltu, 0x00000000, 0xffffffff, 0x00000000, 2)
    RR_SRC(45, sltu, 0x00000000, 0x00000001, 0x00000000, 0, 0)
    RR_SRC(46, sltu, 0x00000000, 0xffffffff, 0x00000000, 0, 1)
    RR_SRC(47, sltu, 0x00000001, 0x00000000, 0xffffffff, 0, 2)
    RR_SRC(48, sltu, 0x00000000, 0xffffffff, 0xffffffff, 1, 0)
    RR_SRC(49, sltu, 0x00000000, 0xffffffff, 0x00000001, 1, 1)
    RR_SRC(50, sltu, 0x00000001, 0x00000001, 0xffffffff, 2, 0)
BH_END
