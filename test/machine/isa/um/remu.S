/*
 * remu: unsigned remainder. x % 0 = x.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* ordinary quotients, all sign combinations; rounding towards zero */
    RR(2, remu, 0x00000002, 0x00000014, 0x00000006)
    RR(3, remu, 0x00000002, 0xffffffec, 0x00000006)
    RR(4, remu, 0x00000014, 0x00000014, 0xfffffffa)
    RR(5, remu, 0xffffffec, 0xffffffec, 0xfffffffa)
    RR(6, remu, 0x00000000, 0x00000000, 0x00000001)
    RR(7, remu, 0x00000000, 0x00000001, 0x00000001)
    RR(8, remu, 0x00000000, 0x00000007, 0x00000007)
    RR(9, remu, 0x00000006, 0x00000006, 0x00000007)
    RR(10, remu, 0x00000005, 0xfffffffa, 0x00000007)
    RR(11, remu, 0x00000000, 0x80000000, 0x00000001)

    /* overflow: INT_MIN / -1 */
    RR(12, remu, 0x80000000, 0x80000000, 0xffffffff)

    /* large operands */
    RR(13, remu, 0x00000000, 0x80000000, 0x00000002)
    RR(14, remu, 0x80000000, 0x80000000, 0xfffffffe)
    RR(15, remu, 0x00000000, 0x80000000, 0x80000000)
    RR(16, remu, 0x7fffffff, 0x7fffffff, 0x80000000)
    RR(17, remu, 0x7fffffff, 0x7fffffff, 0xffffffff)
    RR(18, remu, 0x00000000, 0x7fffffff, 0x7fffffff)
    RR(19, remu, 0x00000000, 0xffffffff, 0xffffffff)
    RR(20, remu, 0x00000000, 0xffffffff, 0x00000001)
    RR(21, remu, 0x00000001, 0x00000001, 0xffffffff)
    RR(22, remu, 0x00000078, 0x12345678, 0x00000100)
    RR(23, remu, 0x0000000f, 0xdeadbeef, 0x00000010)

    /* division by zero */
    RR(24, remu, 0x00000000, 0x00000000, 0x00000000)
    RR(25, remu, 0x00000001, 0x00000001, 0x00000000)
    RR(26, remu, 0xffffffff, 0xffffffff, 0x00000000)
    RR(27, remu, 0x80000000, 0x80000000, 0x00000000)
    RR(28, remu, 0x7fffffff, 0x7fffffff, 0x00000000)
    RR(29, remu, 0x12345678, 0x12345678, 0x00000000)

    /* small operands */
    RR(30, remu, 0x00000000, 0xfffffff9, 0x00000003)
    RR(31, remu, 0x00000007, 0x00000007, 0xfffffffd)
    RR(32, remu, 0xfffffff9, 0xfffffff9, 0xfffffffd)
    RR(33, remu, 0x00000003, 0x00000003, 0x00000005)
    RR(34, remu, 0x00000003, 0xfffffffd, 0x00000005)
    RR(35, remu, 0xfffffffe, 0xfffffffe, 0xffffffff)
    RR(36, remu, 0x00000001, 0xffffffff, 0xfffffffe)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(37, remu, 0x00000006, 0x00000006, 0x00000007, x1, x2, x4)
    RR_REGS(38, remu, 0x00000006, 0x00000006, 0x00000007, x29, x28, x27)
    RR_REGS(39, remu, 0x00000006, 0x00000006, 0x00000007, x10, x15, x20)
    RR_REGS(40, remu, 0x00000000, 0x00000007, 0x00000007, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(41, remu, 0x00000002, 0xffffffec, 0x00000006)
    RR_RD2(42, remu, 0x00000006, 0x00000006, 0x00000007)
    RR_SAME(43, remu, 0x00000000, 0x80000000)
    RR_SAME(44, remu, 0x00000000, 0xffffffff)
    RR_CHAIN(45, remu, 0x00000006, 0x00000006, 0x00000007)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(46, remu, 0x00000000, 0x00000006)
    RR_Z1(47, remu, 0x00000000, 0xffffffff)
    RR_Z2(48, remu, 0xffffffec, 0xffffffec)
    RR_Z2(49, remu, 0x80000000, 0x80000000)
    RR_Z12(50, remu, 0x00000000)
    RR_ZD(51, remu, 0xffffffec, 0x00000006)
    RR_ZD(52, remu, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(53, remu, 0x00000002, 0xffffffec, 0x00000006, 0)
    RR_FWD(54, remu, 0x00000014, 0x00000014, 0xfffffffa, 1)
    RR_FWD(55, remu, 0xffffffec, 0xffffffec, 0xfffffffa, 2)
    RR_SRC(56, remu, 0x00000014, 0x00000014, 0xfffffffa, 0, 0)
    RR_SRC(57, remu, 0xffffffec, 0xffffffec, 0xfffffffa, 0, 1)
    RR_SRC(58, remu, 0x00000000, 0x00000000, 0x00000001, 0, 2)
    RR_SRC(59, remu, 0x00000000, 0x00000001, 0x00000001, 1, 0)
    RR_SRC(60, remu, 0x00000000, 0x00000007, 0x00000007, 1, 1)
    RR_SRC(61, remu, 0x00000006, 0x00000006, 0x00000007, 2, 0)
BH_END
