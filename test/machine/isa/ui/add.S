/*
 * add: rd = rs1 + rs2, wrapping modulo 2^32 (no overflow trap).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = add(rs1, rs2) */
    RR(2, add, 0x00000000, 0x00000000, 0x00000000)
    RR(3, add, 0x00000002, 0x00000001, 0x00000001)
    RR(4, add, 0x0000000a, 0x00000003, 0x00000007)
    RR(5, add, 0xffffffff, 0x00000000, 0xffffffff)
    RR(6, add, 0x00000000, 0xffffffff, 0x00000001)
    RR(7, add, 0xfffffffe, 0xffffffff, 0xffffffff)
    RR(8, add, 0x80000000, 0x7fffffff, 0x00000001)
    RR(9, add, 0x7fffffff, 0x80000000, 0xffffffff)
    RR(10, add, 0x00000000, 0x80000000, 0x80000000)
    RR(11, add, 0xfffffffe, 0x7fffffff, 0x7fffffff)
    RR(12, add, 0xffffffff, 0x80000000, 0x7fffffff)
    RR(13, add, 0xffffffff, 0x7fffffff, 0x80000000)
    RR(14, add, 0x80000000, 0x00000000, 0x80000000)
    RR(15, add, 0x7fffffff, 0x00000000, 0x7fffffff)
    RR(16, add, 0x21111110, 0x12345678, 0x0edcba98)
    RR(17, add, 0x00000000, 0xdeadbeef, 0x21524111)
    RR(18, add, 0x00010000, 0x0000ffff, 0x00000001)
    RR(19, add, 0x00000000, 0xffff0000, 0x00010000)
    RR(20, add, 0xffffffff, 0x00007fff, 0xffff8000)
    RR(21, add, 0xffff0000, 0xffff8000, 0xffff8000)
    RR(22, add, 0xffffffff, 0x00000001, 0xfffffffe)
    RR(23, add, 0x00000002, 0x80000001, 0x80000001)
    RR(24, add, 0xffffffff, 0x55555555, 0xaaaaaaaa)
    RR(25, add, 0x00f0ffff, 0x0000f00f, 0x00f00ff0)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(26, add, 0x7fffffff, 0x80000000, 0xffffffff, x1, x2, x4)
    RR_REGS(27, add, 0x7fffffff, 0x80000000, 0xffffffff, x29, x28, x27)
    RR_REGS(28, add, 0x7fffffff, 0x80000000, 0xffffffff, x10, x15, x20)
    RR_REGS(29, add, 0xfffffffe, 0xffffffff, 0xffffffff, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(30, add, 0x80000000, 0x7fffffff, 0x00000001)
    RR_RD2(31, add, 0xffffffff, 0x7fffffff, 0x80000000)
    RR_SAME(32, add, 0x0000fffe, 0x00007fff)
    RR_SAME(33, add, 0xfffffffe, 0xffffffff)
    RR_CHAIN(34, add, 0x7fffffff, 0x7fffffff, 0x80000000)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(35, add, 0x00000001, 0x00000001)
    RR_Z1(36, add, 0xffffffff, 0xffffffff)
    RR_Z2(37, add, 0x7fffffff, 0x7fffffff)
    RR_Z2(38, add, 0x80000000, 0x80000000)
    RR_Z12(39, add, 0x00000000)
    RR_ZD(40, add, 0x7fffffff, 0x00000001)
    RR_ZD(41, add, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(42, add, 0x00000002, 0x00000001, 0x00000001, 0)
    RR_FWD(43, add, 0x0000000a, 0x00000003, 0x00000007, 1)
    RR_FWD(44, add, 0xffffffff, 0x00000000, 0xffffffff, 2)
    RR_SRC(45, add, 0x0000000a, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(46, add, 0xffffffff, 0x00000000, 0xffffffff, 0, 1)
    RR_SRC(47, add, 0x00000000, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(48, add, 0xfffffffe, 0xffffffff, 0xffffffff, 1, 0)
    RR_SRC(49, add, 0x80000000, 0x7fffffff, 0x00000001, 1, 1)
    RR_SRC(50, add, 0x7fffffff, 0x80000000, 0xffffffff, 2, 0)
BH_END
