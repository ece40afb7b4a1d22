/*
 * div: signed division rounding towards zero. Special cases (unprivileged spec 7.2): x / 0 = -1
 * (all ones); INT_MIN / -1 = INT_MIN (overflow, no trap). Division never traps.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* ordinary quotients, all sign combinations; rounding towards zero */
    RR(2, div, 0x00000003, 0x00000014, 0x00000006)
    RR(3, div, 0xfffffffd, 0xffffffec, 0x00000006)
    RR(4, div, 0xfffffffd, 0x00000014, 0xfffffffa)
    RR(5, div, 0x00000003, 0xffffffec, 0xfffffffa)
    RR(6, div, 0x00000000, 0x00000000, 0x00000001)
    RR(7, div, 0x00000001, 0x00000001, 0x00000001)
    RR(8, div, 0x00000001, 0x00000007, 0x00000007)
    RR(9, div, 0x00000000, 0x00000006, 0x00000007)
    RR(10, div, 0x00000000, 0xfffffffa, 0x00000007)
    RR(11, div, 0x80000000, 0x80000000, 0x00000001)

    /* overflow: INT_MIN / -1 */
    RR(12, div, 0x80000000, 0x80000000, 0xffffffff)

    /* large operands */
    RR(13, div, 0xc0000000, 0x80000000, 0x00000002)
    RR(14, div, 0x40000000, 0x80000000, 0xfffffffe)
    RR(15, div, 0x00000001, 0x80000000, 0x80000000)
    RR(16, div, 0x00000000, 0x7fffffff, 0x80000000)
    RR(17, div, 0x80000001, 0x7fffffff, 0xffffffff)
    RR(18, div, 0x00000001, 0x7fffffff, 0x7fffffff)
    RR(19, div, 0x00000001, 0xffffffff, 0xffffffff)
    RR(20, div, 0xffffffff, 0xffffffff, 0x00000001)
    RR(21, div, 0xffffffff, 0x00000001, 0xffffffff)
    RR(22, div, 0x00123456, 0x12345678, 0x00000100)
    RR(23, div, 0xfdeadbef, 0xdeadbeef, 0x00000010)

    /* division by zero */
    RR(24, div, 0xffffffff, 0x00000000, 0x00000000)
    RR(25, div, 0xffffffff, 0x00000001, 0x00000000)
    RR(26, div, 0xffffffff, 0xffffffff, 0x00000000)
    RR(27, div, 0xffffffff, 0x80000000, 0x00000000)
    RR(28, div, 0xffffffff, 0x7fffffff, 0x00000000)
    RR(29, div, 0xffffffff, 0x12345678, 0x00000000)

    /* small operands */
    RR(30, div, 0xfffffffe, 0xfffffff9, 0x00000003)
    RR(31, div, 0xfffffffe, 0x00000007, 0xfffffffd)
    RR(32, div, 0x00000002, 0xfffffff9, 0xfffffffd)
    RR(33, div, 0x00000000, 0x00000003, 0x00000005)
    RR(34, div, 0x00000000, 0xfffffffd, 0x00000005)
    RR(35, div, 0x00000002, 0xfffffffe, 0xffffffff)
    RR(36, div, 0x00000000, 0xffffffff, 0xfffffffe)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(37, div, 0x00000000, 0x00000006, 0x00000007, x1, x2, x4)
    RR_REGS(38, div, 0x00000000, 0x00000006, 0x00000007, x29, x28, x27)
    RR_REGS(39, div, 0x00000000, 0x00000006, 0x00000007, x10, x15, x20)
    RR_REGS(40, div, 0x00000001, 0x00000007, 0x00000007, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(41, div, 0xfffffffd, 0xffffffec, 0x00000006)
    RR_RD2(42, div, 0x80000000, 0x80000000, 0x00000001)
    RR_SAME(43, div, 0x00000001, 0x80000000)
    RR_SAME(44, div, 0x00000001, 0xffffffff)
    RR_CHAIN(45, div, 0x80000000, 0x80000000, 0x00000001)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(46, div, 0x00000000, 0x00000006)
    RR_Z1(47, div, 0x00000000, 0xffffffff)
    RR_Z2(48, div, 0xffffffff, 0xffffffec)
    RR_Z2(49, div, 0xffffffff, 0x80000000)
    RR_Z12(50, div, 0xffffffff)
    RR_ZD(51, div, 0xffffffec, 0x00000006)
    RR_ZD(52, div, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(53, div, 0xfffffffd, 0xffffffec, 0x00000006, 0)
    RR_FWD(54, div, 0xfffffffd, 0x00000014, 0xfffffffa, 1)
    RR_FWD(55, div, 0x00000003, 0xffffffec, 0xfffffffa, 2)
    RR_SRC(56, div, 0xfffffffd, 0x00000014, 0xfffffffa, 0, 0)
    RR_SRC(57, div, 0x00000003, 0xffffffec, 0xfffffffa, 0, 1)
    RR_SRC(58, div, 0x00000000, 0x00000000, 0x00000001, 0, 2)
    RR_SRC(59, div, 0x00000001, 0x00000001, 0x00000001, 1, 0)
    RR_SRC(60, div, 0x00000001, 0x00000007, 0x00000007, 1, 1)
    RR_SRC(61, div, 0x00000000, 0x00000006, 0x00000007, 2, 0)
BH_END
