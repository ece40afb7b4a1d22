/*
 * mulh: rd = high 32 bits of the 64-bit product of signed rs1 and signed rs2.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* small and sign-mixed operands */
    RR(2, mulh, 0x00000000, 0x00000000, 0x00000000)
    RR(3, mulh, 0x00000000, 0x00000001, 0x00000001)
    RR(4, mulh, 0x00000000, 0x00000003, 0x00000007)
    RR(5, mulh, 0x00000000, 0xffffffff, 0xffffffff)
    RR(6, mulh, 0xffffffff, 0xffffffff, 0x00000001)
    RR(7, mulh, 0xffffffff, 0x00000001, 0xffffffff)

    /* extremes: INT_MIN, INT_MAX, -1 */
    RR(8, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff)
    RR(9, mulh, 0x40000000, 0x80000000, 0x80000000)
    RR(10, mulh, 0x00000000, 0x80000000, 0xffffffff)
    RR(11, mulh, 0x00000000, 0xffffffff, 0x80000000)
    RR(12, mulh, 0xffffffff, 0x80000000, 0x00000001)
    RR(13, mulh, 0xc0000000, 0x80000000, 0x7fffffff)
    RR(14, mulh, 0xffffffff, 0x7fffffff, 0xffffffff)

    /* carries across the halves */
    RR(15, mulh, 0x00000000, 0x0000ffff, 0x0000ffff)
    RR(16, mulh, 0x00000001, 0x00010000, 0x00010000)
    RR(17, mulh, 0x00000001, 0xffff0000, 0xffff0000)
    RR(18, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0)
    RR(19, mulh, 0x04564f34, 0xdeadbeef, 0xdeadbeef)
    RR(20, mulh, 0x3fffffff, 0x80000001, 0x80000001)
    RR(21, mulh, 0xffffffff, 0xfffffffe, 0x7fffffff)
    RR(22, mulh, 0x00000000, 0x00000000, 0xffffffff)
    RR(23, mulh, 0x00000000, 0xffffffff, 0x00000000)
    RR(24, mulh, 0xffff0081, 0xaaaaaaab, 0x0002fe7d)
    RR(25, mulh, 0xffff0081, 0x0002fe7d, 0xaaaaaaab)
    RR(26, mulh, 0xffffffff, 0x00000007, 0xfffffffd)
    RR(27, mulh, 0xffffffff, 0xfffffff9, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(28, mulh, 0x40000000, 0x80000000, 0x80000000, x1, x2, x4)
    RR_REGS(29, mulh, 0x40000000, 0x80000000, 0x80000000, x29, x28, x27)
    RR_REGS(30, mulh, 0x40000000, 0x80000000, 0x80000000, x10, x15, x20)
    RR_REGS(31, mulh, 0x40000000, 0x80000000, 0x80000000, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(32, mulh, 0xffffffff, 0x00000001, 0xffffffff)
    RR_RD2(33, mulh, 0xffffffff, 0x7fffffff, 0xffffffff)
    RR_SAME(34, mulh, 0x1c71c71c, 0xaaaaaaab)
    RR_SAME(35, mulh, 0x00000000, 0xffffffff)
    RR_CHAIN(36, mulh, 0x00000000, 0x7fffffff, 0xffffffff)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(37, mulh, 0x00000000, 0xffffffff)
    RR_Z1(38, mulh, 0x00000000, 0xffffffff)
    RR_Z2(39, mulh, 0x00000000, 0x00000001)
    RR_Z2(40, mulh, 0x00000000, 0x80000000)
    RR_Z12(41, mulh, 0x00000000)
    RR_ZD(42, mulh, 0x00000001, 0xffffffff)
    RR_ZD(43, mulh, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(44, mulh, 0x00000000, 0x00000001, 0x00000001, 0)
    RR_FWD(45, mulh, 0x00000000, 0x00000003, 0x00000007, 1)
    RR_FWD(46, mulh, 0x00000000, 0xffffffff, 0xffffffff, 2)
    RR_SRC(47, mulh, 0x00000000, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(48, mulh, 0x00000000, 0xffffffff, 0xffffffff, 0, 1)
    RR_SRC(49, mulh, 0xffffffff, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(50, mulh, 0xffffffff, 0x00000001, 0xffffffff, 1, 0)
    RR_SRC(51, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff, 1, 1)
    RR_SRC(52, mulh, 0x40000000, 0x80000000, 0x80000000, 2, 0)
BH_END
