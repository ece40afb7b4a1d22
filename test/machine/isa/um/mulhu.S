/*
 * mulhu: rd = high 32 bits of the 64-bit product of unsigned rs1 and unsigned rs2.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* small and sign-mixed operands */
    RR(2, mulhu, 0x00000000, 0x00000000, 0x00000000)
    RR(3, mulhu, 0x00000000, 0x00000001, 0x00000001)
    RR(4, mulhu, 0x00000000, 0x00000003, 0x00000007)
    RR(5, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff)
    RR(6, mulhu, 0x00000000, 0xffffffff, 0x00000001)
    RR(7, mulhu, 0x00000000, 0x00000001, 0xffffffff)

    /* extremes: INT_MIN, INT_MAX, -1 */
    RR(8, mulhu, 0x3fffffff, 0x7fffffff, 0x7fffffff)
    RR(9, mulhu, 0x40000000, 0x80000000, 0x80000000)
    RR(10, mulhu, 0x7fffffff, 0x80000000, 0xffffffff)
    RR(11, mulhu, 0x7fffffff, 0xffffffff, 0x80000000)
    RR(12, mulhu, 0x00000000, 0x80000000, 0x00000001)
    RR(13, mulhu, 0x3fffffff, 0x80000000, 0x7fffffff)
    RR(14, mulhu, 0x7ffffffe, 0x7fffffff, 0xffffffff)

    /* carries across the halves */
    RR(15, mulhu, 0x00000000, 0x0000ffff, 0x0000ffff)
    RR(16, mulhu, 0x00000001, 0x00010000, 0x00010000)
    RR(17, mulhu, 0xfffe0001, 0xffff0000, 0xffff0000)
    RR(18, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
    RR(19, mulhu, 0xc1b1cd12, 0xdeadbeef, 0xdeadbeef)
    RR(20, mulhu, 0x40000001, 0x80000001, 0x80000001)
    RR(21, mulhu, 0x7ffffffe, 0xfffffffe, 0x7fffffff)
    RR(22, mulhu, 0x00000000, 0x00000000, 0xffffffff)
    RR(23, mulhu, 0x00000000, 0xffffffff, 0x00000000)
    RR(24, mulhu, 0x0001fefe, 0xaaaaaaab, 0x0002fe7d)
    RR(25, mulhu, 0x0001fefe, 0x0002fe7d, 0xaaaaaaab)
    RR(26, mulhu, 0x00000006, 0x00000007, 0xfffffffd)
    RR(27, mulhu, 0x00000002, 0xfffffff9, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(28, mulhu, 0x40000000, 0x80000000, 0x80000000, x1, x2, x4)
    RR_REGS(29, mulhu, 0x40000000, 0x80000000, 0x80000000, x29, x28, x27)
    RR_REGS(30, mulhu, 0x40000000, 0x80000000, 0x80000000, x10, x15, x20)
    RR_REGS(31, mulhu, 0x40000000, 0x80000000, 0x80000000, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(32, mulhu, 0x7fffffff, 0xffffffff, 0x80000000)
    RR_RD2(33, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
    RR_SAME(34, mulhu, 0x00000008, 0x0002fe7d)
    RR_SAME(35, mulhu, 0xfffffffe, 0xffffffff)
    RR_CHAIN(36, mulhu, 0x06a6ab34, 0x12345678, 0x9abcdef0)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(37, mulhu, 0x00000000, 0x80000000)
    RR_Z1(38, mulhu, 0x00000000, 0xffffffff)
    RR_Z2(39, mulhu, 0x00000000, 0xffffffff)
    RR_Z2(40, mulhu, 0x00000000, 0x80000000)
    RR_Z12(41, mulhu, 0x00000000)
    RR_ZD(42, mulhu, 0xffffffff, 0x80000000)
    RR_ZD(43, mulhu, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(44, mulhu, 0x00000000, 0x00000001, 0x00000001, 0)
    RR_FWD(45, mulhu, 0x00000000, 0x00000003, 0x00000007, 1)
    RR_FWD(46, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff, 2)
    RR_SRC(47, mulhu, 0x00000000, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(48, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff, 0, 1)
    RR_SRC(49, mulhu, 0x00000000, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(50, mulhu, 0x00000000, 0x00000001, 0xffffffff, 1, 0)
    RR_SRC(51, mulhu, 0x3fffffff, 0x7fffffff, 0x7fffffff, 1, 1)
    RR_SRC(52, mulhu, 0x40000000, 0x80000000, 0x80000000, 2, 0)
BH_END
