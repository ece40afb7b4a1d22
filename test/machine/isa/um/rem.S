/*
 * rem: signed remainder, with the sign of the dividend. x % 0 = x; INT_MIN % -1 = 0.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* ordinary quotients, all sign combinations; rounding towards zero */
    RR(2, rem, 0x00000002, 0x00000014, 0x00000006)
    RR(3, rem, 0xfffffffe, 0xffffffec, 0x00000006)
    RR(4, rem, 0x00000002, 0x00000014, 0xfffffffa)
    RR(5, rem, 0xfffffffe, 0xffffffec, 0xfffffffa)
    RR(6, rem, 0x00000000, 0x00000000, 0x00000001)
    RR(7, rem, 0x00000000, 0x00000001, 0x00000001)
    RR(8, rem, 0x00000000, 0x00000007, 0x00000007)
    RR(9, rem, 0x00000006, 0x00000006, 0x00000007)
    RR(10, rem, 0xfffffffa, 0xfffffffa, 0x00000007)
    RR(11, rem, 0x00000000, 0x80000000, 0x00000001)

    /* overflow: INT_MIN / -1 */
    RR(12, rem, 0x00000000, 0x80000000, 0xffffffff)

    /* large operands */
    RR(13, rem, 0x00000000, 0x80000000, 0x00000002)
    RR(14, rem, 0x00000000, 0x80000000, 0xfffffffe)
    RR(15, rem, 0x00000000, 0x80000000, 0x80000000)
    RR(16, rem, 0x7fffffff, 0x7fffffff, 0x80000000)
    RR(17, rem, 0x00000000, 0x7fffffff, 0xffffffff)
    RR(18, rem, 0x00000000, 0x7fffffff, 0x7fffffff)
    RR(19, rem, 0x00000000, 0xffffffff, 0xffffffff)
    RR(20, rem, 0x00000000, 0xffffffff, 0x00000001)
    RR(21, rem, 0x00000000, 0x00000001, 0xffffffff)
    RR(22, rem, 0x00000078, 0x12345678, 0x00000100)
    RR(23, rem, 0xffffffff, 0xdeadbeef, 0x00000010)

    /* division by zero */
    RR(24, rem, 0x00000000, 0x00000000, 0x00000000)
    RR(25, rem, 0x00000001, 0x00000001, 0x00000000)
    RR(26, rem, 0xffffffff, 0xffffffff, 0x00000000)
    RR(27, rem, 0x80000000, 0x80000000, 0x00000000)
    RR(28, rem, 0x7fffffff, 0x7fffffff, 0x00000000)
    RR(29, rem, 0x12345678, 0x12345678, 0x00000000)

    /* small operands */
    RR(30, rem, 0xffffffff, 0xfffffff9, 0x00000003)
    RR(31, rem, 0x00000001, 0x00000007, 0xfffffffd)
    RR(32, rem, 0xffffffff, 0xfffffff9, 0xfffffffd)
    RR(33, rem, 0x00000003, 0x00000003, 0x00000005)
    RR(34, rem, 0xfffffffd, 0xfffffffd, 0x00000005)
    RR(35, rem, 0x00000000, 0xfffffffe, 0xffffffff)
    RR(36, rem, 0xffffffff, 0xffffffff, 0xfffffffe)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(37, rem, 0x00000006, 0x00000006, 0x00000007, x1, x2, x4)
    RR_REGS(38, rem, 0x00000006, 0x00000006, 0x00000007, x29, x28, x27)
    RR_REGS(39, rem, 0x00000006, 0x00000006, 0x00000007, x10, x15, x20)
    RR_REGS(40, rem, 0x00000000, 0x00000007, 0x00000007, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(41, rem, 0xfffffffe, 0xffffffec, 0x00000006)
    RR_RD2(42, rem, 0x00000006, 0x00000006, 0x00000007)
    RR_SAME(43, rem, 0x00000000, 0x12345678)
    RR_SAME(44, rem, 0x00000000, 0xffffffff)
    RR_CHAIN(45, rem, 0x00000006, 0x00000006, 0x00000007)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(46, rem, 0x00000000, 0x00000006)
    RR_Z1(47, rem, 0x00000000, 0xffffffff)
    RR_Z2(48, rem, 0xffffffec, 0xffffffec)
    RR_Z2(49, rem, 0x80000000, 0x80000000)
    RR_Z12(50, rem, 0x00000000)
    RR_ZD(51, rem, 0xffffffec, 0x00000006)
    RR_ZD(52, rem, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(53, rem, 0xfffffffe, 0xffffffec, 0x00000006, 0)
    RR_FWD(54, rem, 0x00000002, 0x00000014, 0xfffffffa, 1)
    RR_FWD(55, rem, 0xfffffffe, 0xffffffec, 0xfffffffa, 2)
    RR_SRC(56, rem, 0x00000002, 0x00000014, 0xfffffffa, 0, 0)
    RR_SRC(57, rem, 0xfffffffe, 0xffffffec, 0xfffffffa, 0, 1)
    RR_SRC(58, rem, 0x00000000, 0x00000000, 0x00000001, 0, 2)
    RR_SRC(59, rem, 0x00000000, 0x00000001, 0x00000001, 1, 0)
    RR_SRC(60, rem, 0x00000000, 0x00000007, 0x00000007, 1, 1)
    RR_SRC(61, rem, 0x00000006, 0x00000006, 0x00000007, 2, 0)
BH_END
