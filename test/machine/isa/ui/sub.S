/*
 * sub: rd = rs1 - rs2, wrapping modulo 2^32.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* operand pairs: rd = sub(rs1, rs2) */
    RR(2, sub, 0x00000000, 0x00000000, 0x00000000)
    RR(3, sub, 0x00000000, 0x00000001, 0x00000001)
    RR(4, sub, 0xfffffffc, 0x00000003, 0x00000007)
    RR(5, sub, 0x00000001, 0x00000000, 0xffffffff)
    RR(6, sub, 0xfffffffe, 0xffffffff, 0x00000001)
    RR(7, sub, 0x00000000, 0xffffffff, 0xffffffff)
    RR(8, sub, 0x7ffffffe, 0x7fffffff, 0x00000001)
    RR(9, sub, 0x80000001, 0x80000000, 0xffffffff)
    RR(10, sub, 0x00000000, 0x80000000, 0x80000000)
    RR(11, sub, 0x00000000, 0x7fffffff, 0x7fffffff)
    RR(12, sub, 0x00000001, 0x80000000, 0x7fffffff)
    RR(13, sub, 0xffffffff, 0x7fffffff, 0x80000000)
    RR(14, sub, 0x80000000, 0x00000000, 0x80000000)
    RR(15, sub, 0x80000001, 0x00000000, 0x7fffffff)
    RR(16, sub, 0x03579be0, 0x12345678, 0x0edcba98)
    RR(17, sub, 0xbd5b7dde, 0xdeadbeef, 0x21524111)
    RR(18, sub, 0x0000fffe, 0x0000ffff, 0x00000001)
    RR(19, sub, 0xfffe0000, 0xffff0000, 0x00010000)
    RR(20, sub, 0x0000ffff, 0x00007fff, 0xffff8000)
    RR(21, sub, 0x00000000, 0xffff8000, 0xffff8000)
    RR(22, sub, 0x00000003, 0x00000001, 0xfffffffe)
    RR(23, sub, 0x00000000, 0x80000001, 0x80000001)
    RR(24, sub, 0xaaaaaaab, 0x55555555, 0xaaaaaaaa)
    RR(25, sub, 0xff10e01f, 0x0000f00f, 0x00f00ff0)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(26, sub, 0x80000001, 0x80000000, 0xffffffff, x1, x2, x4)
    RR_REGS(27, sub, 0x80000001, 0x80000000, 0xffffffff, x29, x28, x27)
    RR_REGS(28, sub, 0x80000001, 0x80000000, 0xffffffff, x10, x15, x20)
    RR_REGS(29, sub, 0x00000000, 0xffffffff, 0xffffffff, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(30, sub, 0xfffffffe, 0xffffffff, 0x00000001)
    RR_RD2(31, sub, 0x00000001, 0x80000000, 0x7fffffff)
    RR_SAME(32, sub, 0x00000000, 0xdeadbeef)
    RR_SAME(33, sub, 0x00000000, 0xffffffff)
    RR_CHAIN(34, sub, 0x80000002, 0x80000000, 0x7fffffff)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(35, sub, 0xffffffff, 0x00000001)
    RR_Z1(36, sub, 0x00000001, 0xffffffff)
    RR_Z2(37, sub, 0xffffffff, 0xffffffff)
    RR_Z2(38, sub, 0x80000000, 0x80000000)
    RR_Z12(39, sub, 0x00000000)
    RR_ZD(40, sub, 0xffffffff, 0x00000001)
    RR_ZD(41, sub, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(42, sub, 0x00000000, 0x00000001, 0x00000001, 0)
    RR_FWD(43, sub, 0xfffffffc, 0x00000003, 0x00000007, 1)
    RR_FWD(44, sub, 0x00000001, 0x00000000, 0xffffffff, 2)
    RR_SRC(45, sub, 0xfffffffc, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(46, sub, 0x00000001, 0x00000000, 0xffffffff, 0, 1)
    RR_SRC(47, sub, 0xfffffffe, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(48, sub, 0x00000000, 0xffffffff, 0xffffffff, 1, 0)
    RR_SRC(49, sub, 0x7ffffffe, 0x7fffffff, 0x00000001, 1, 1)
    RR_SRC(50, sub, 0x80000001, 0x80000000, 0xffffffff, 2, 0)
BH_END
