/*
 * mulhsu: rd = high 32 bits of the 64-bit product of signed rs1 and unsigned rs2.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* small and sign-mixed operands */
    RR(2, mulhsu, 0x00000000, 0x00000000, 0x00000000)
    RR(3, mulhsu, 0x00000000, 0x00000001, 0x00000001)
    RR(4, mulhsu, 0x00000000, 0x00000003, 0x00000007)
    RR(5, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff)
    RR(6, mulhsu, 0xffffffff, 0xffffffff, 0x00000001)
    RR(7, mulhsu, 0x00000000, 0x00000001, 0xffffffff)

    /* extremes: INT_MIN, INT_MAX, -1 */
    RR(8, mulhsu, 0x3fffffff, 0x7fffffff, 0x7fffffff)
    RR(9, mulhsu, 0xc0000000, 0x80000000, 0x80000000)
    RR(10, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
    RR(11, mulhsu, 0xffffffff, 0xffffffff, 0x80000000)
    RR(12, mulhsu, 0xffffffff, 0x80000000, 0x00000001)
    RR(13, mulhsu, 0xc0000000, 0x80000000, 0x7fffffff)
    RR(14, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff)

    /* carries across the halves */
    RR(15, mulhsu, 0x00000000, 0x0000ffff, 0x0000ffff)
    RR(16, mulhsu, 0x00000001, 0x00010000, 0x00010000)
    RR(17, mulhsu, 0xffff0001, 0xffff0000, 0xffff0000)
    RR(18, mulhsu, 0x0b00ea4e, 0x12345678, 0x9abcdef0)
    RR(19, mulhsu, 0xe3040e23, 0xdeadbeef, 0xdeadbeef)
    RR(20, mulhsu, 0xc0000000, 0x80000001, 0x80000001)
    RR(21, mulhsu, 0xffffffff, 0xfffffffe, 0x7fffffff)
    RR(22, mulhsu, 0x00000000, 0x00000000, 0xffffffff)
    RR(23, mulhsu, 0x00000000, 0xffffffff, 0x00000000)
    RR(24, mulhsu, 0xffff0081, 0xaaaaaaab, 0x0002fe7d)
    RR(25, mulhsu, 0x0001fefe, 0x0002fe7d, 0xaaaaaaab)
    RR(26, mulhsu, 0x00000006, 0x00000007, 0xfffffffd)
    RR(27, mulhsu, 0xffffffff, 0xfffffff9, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(28, mulhsu, 0xc0000000, 0x80000000, 0x80000000, x1, x2, x4)
    RR_REGS(29, mulhsu, 0xc0000000, 0x80000000, 0x80000000, x29, x28, x27)
    RR_REGS(30, mulhsu, 0xc0000000, 0x80000000, 0x80000000, x10, x15, x20)
    RR_REGS(31, mulhsu, 0xc0000000, 0x80000000, 0x80000000, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(32, mulhsu, 0x80000000, 0x80000000, 0xffffffff)
    RR_RD2(33, mulhsu, 0xc0000000, 0x80000000, 0x7fffffff)
    RR_SAME(34, mulhsu, 0xfffffffe, 0xfffffffe)
    RR_SAME(35, mulhsu, 0xffffffff, 0xffffffff)
    RR_CHAIN(36, mulhsu, 0xe0000000, 0x80000000, 0x7fffffff)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(37, mulhsu, 0x00000000, 0xffffffff)
    RR_Z1(38, mulhsu, 0x00000000, 0xffffffff)
    RR_Z2(39, mulhsu, 0x00000000, 0x80000000)
    RR_Z2(40, mulhsu, 0x00000000, 0x80000000)
    RR_Z12(41, mulhsu, 0x00000000)
    RR_ZD(42, mulhsu, 0x80000000, 0xffffffff)
    RR_ZD(43, mulhsu, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(44, mulhsu, 0x00000000, 0x00000001, 0x00000001, 0)
    RR_FWD(45, mulhsu, 0x00000000, 0x00000003, 0x00000007, 1)
    RR_FWD(46, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff, 2)
    RR_SRC(47, mulhsu, 0x00000000, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(48, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff, 0, 1)
    RR_SRC(49, mulhsu, 0xffffffff, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(50, mulhsu, 0x00000000, 0x00000001, 0xffffffff, 1, 0)
    RR_SRC(51, mulhsu, 0x3fffffff, 0x7fffffff, 0x7fffffff, 1, 1)
    RR_SRC(52, mulhsu, 0xc0000000, 0x80000000, 0x80000000, 2, 0)
BH_END
