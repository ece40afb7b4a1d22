/*
 * mul: rd = low 32 bits of rs1 * rs2 (the same for signed and unsigned operands).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* small and sign-mixed operands */
    RR(2, mul, 0x00000000, 0x00000000, 0x00000000)
    RR(3, mul, 0x00000001, 0x00000001, 0x00000001)
    RR(4, mul, 0x00000015, 0x00000003, 0x00000007)
    RR(5, mul, 0x00000001, 0xffffffff, 0xffffffff)
    RR(6, mul, 0xffffffff, 0xffffffff, 0x00000001)
    RR(7, mul, 0xffffffff, 0x00000001, 0xffffffff)

    /* extremes: INT_MIN, INT_MAX, -1 */
    RR(8, mul, 0x00000001, 0x7fffffff, 0x7fffffff)
    RR(9, mul, 0x00000000, 0x80000000, 0x80000000)
    RR(10, mul, 0x80000000, 0x80000000, 0xffffffff)
    RR(11, mul, 0x80000000, 0xffffffff, 0x80000000)
    RR(12, mul, 0x80000000, 0x80000000, 0x00000001)
    RR(13, mul, 0x80000000, 0x80000000, 0x7fffffff)
    RR(14, mul, 0x80000001, 0x7fffffff, 0xffffffff)

    /* carries across the halves */
    RR(15, mul, 0xfffe0001, 0x0000ffff, 0x0000ffff)
    RR(16, mul, 0x00000000, 0x00010000, 0x00010000)
    RR(17, mul, 0x00000000, 0xffff0000, 0xffff0000)
    RR(18, mul, 0x242d2080, 0x12345678, 0x9abcdef0)
    RR(19, mul, 0x216da321, 0xdeadbeef, 0xdeadbeef)
    RR(20, mul, 0x00000001, 0x80000001, 0x80000001)
    RR(21, mul, 0x00000002, 0xfffffffe, 0x7fffffff)
    RR(22, mul, 0x00000000, 0x00000000, 0xffffffff)
    RR(23, mul, 0x00000000, 0xffffffff, 0x00000000)
    RR(24, mul, 0x0000ff7f, 0xaaaaaaab, 0x0002fe7d)
    RR(25, mul, 0x0000ff7f, 0x0002fe7d, 0xaaaaaaab)
    RR(26, mul, 0xffffffeb, 0x00000007, 0xfffffffd)
    RR(27, mul, 0xffffffeb, 0xfffffff9, 0x00000003)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(28, mul, 0x00000000, 0x80000000, 0x80000000, x1, x2, x4)
    RR_REGS(29, mul, 0x00000000, 0x80000000, 0x80000000, x29, x28, x27)
    RR_REGS(30, mul, 0x00000000, 0x80000000, 0x80000000, x10, x15, x20)
    RR_REGS(31, mul, 0x00000000, 0x80000000, 0x80000000, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(32, mul, 0xffffffff, 0xffffffff, 0x00000001)
    RR_RD2(33, mul, 0x80000000, 0xffffffff, 0x80000000)
    RR_SAME(34, mul, 0x00000001, 0x7fffffff)
    RR_SAME(35, mul, 0x00000001, 0xffffffff)
    RR_CHAIN(36, mul, 0x00000000, 0xffffffff, 0x80000000)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(37, mul, 0x00000000, 0x00000001)
    RR_Z1(38, mul, 0x00000000, 0xffffffff)
    RR_Z2(39, mul, 0x00000000, 0xffffffff)
    RR_Z2(40, mul, 0x00000000, 0x80000000)
    RR_Z12(41, mul, 0x00000000)
    RR_ZD(42, mul, 0xffffffff, 0x00000001)
    RR_ZD(43, mul, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(44, mul, 0x00000001, 0x00000001, 0x00000001, 0)
    RR_FWD(45, mul, 0x00000015, 0x00000003, 0x00000007, 1)
    RR_FWD(46, mul, 0x00000001, 0xffffffff, 0xffffffff, 2)
    RR_SRC(47, mul, 0x00000015, 0x00000003, 0x00000007, 0, 0)
    RR_SRC(48, mul, 0x00000001, 0xffffffff, 0xffffffff, 0, 1)
    RR_SRC(49, mul, 0xffffffff, 0xffffffff, 0x00000001, 0, 2)
    RR_SRC(50, mul, 0xffffffff, 0x00000001, 0xffffffff, 1, 0)
    RR_SRC(51, mul, 0x00000001, 0x7fffffff, 0x7fffffff, 1, 1)
    RR_SRC(52, mul, 0x00000000, 0x80000000, 0x80000000, 2, 0)
BH_END
