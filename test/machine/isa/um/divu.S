/*
 * divu: unsigned division. x / 0 = 0xffffffff (2^32 - 1). Never traps.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* ordinary quotients, all sign combinations; rounding towards zero */
    RR(2, divu, 0x00000003, 0x00000014, 0x00000006)
    RR(3, divu, 0x2aaaaaa7, 0xffffffec, 0x00000006)
    RR(4, divu, 0x00000000, 0x00000014, 0xfffffffa)
    RR(5, divu, 0x00000000, 0xffffffec, 0xfffffffa)
    RR(6, divu, 0x00000000, 0x00000000, 0x00000001)
    RR(7, divu, 0x00000001, 0x00000001, 0x00000001)
    RR(8, divu, 0x00000001, 0x00000007, 0x00000007)
    RR(9, divu, 0x00000000, 0x00000006, 0x00000007)
    RR(10, divu, 0x24924923, 0xfffffffa, 0x00000007)
    RR(11, divu, 0x80000000, 0x80000000, 0x00000001)

    /* overflow: INT_MIN / -1 */
    RR(12, divu, 0x00000000, 0x80000000, 0xffffffff)

    /* large operands */
    RR(13, divu, 0x40000000, 0x80000000, 0x00000002)
    RR(14, divu, 0x00000000, 0x80000000, 0xfffffffe)
    RR(15, divu, 0x00000001, 0x80000000, 0x80000000)
    RR(16, divu, 0x00000000, 0x7fffffff, 0x80000000)
    RR(17, divu, 0x00000000, 0x7fffffff, 0xffffffff)
    RR(18, divu, 0x00000001, 0x7fffffff, 0x7fffffff)
    RR(19, divu, 0x00000001, 0xffffffff, 0xffffffff)
    RR(20, divu, 0xffffffff, 0xffffffff, 0x00000001)
    RR(21, divu, 0x00000000, 0x00000001, 0xffffffff)
    RR(22, divu, 0x00123456, 0x12345678, 0x00000100)
    RR(23, divu, 0x0deadbee, 0xdeadbeef, 0x00000010)

    /* division by zero */
    RR(24, divu, 0xffffffff, 0x00000000, 0x00000000)
    RR(25, divu, 0xffffffff, 0x00000001, 0x00000000)
    RR(26, divu, 0xffffffff, 0xffffffff, 0x00000000)
    RR(27, divu, 0xffffffff, 0x80000000, 0x00000000)
    RR(28, divu, 0xffffffff, 0x7fffffff, 0x00000000)
    RR(29, divu, 0xffffffff, 0x12345678, 0x00000000)

    /* small operands */
    RR(30, divu, 0x55555553, 0xfffffff9, 0x00000003)
    RR(31, divu, 0x00000000, 0x00000007, 0xfffffffd)
    RR(32, divu, 0x00000000, 0xfffffff9, 0xfffffffd)
    RR(33, divu, 0x00000000, 0x00000003, 0x00000005)
    RR(34, divu, 0x33333332, 0xfffffffd, 0x00000005)
    RR(35, divu, 0x00000000, 0xfffffffe, 0xffffffff)
    RR(36, divu, 0x00000001, 0xffffffff, 0xfffffffe)

    /* register file indexing: other register numbers, rs1 = rs2 */
    RR_REGS(37, divu, 0x00000000, 0x00000006, 0x00000007, x1, x2, x4)
    RR_REGS(38, divu, 0x00000000, 0x00000006, 0x00000007, x29, x28, x27)
    RR_REGS(39, divu, 0x00000000, 0x00000006, 0x00000007, x10, x15, x20)
    RR_REGS(40, divu, 0x00000001, 0x00000007, 0x00000007, x5, x6, x6)

    /* aliasing: rd = rs1, rd = rs2, rd = rs1 = rs2 */
    RR_RD1(41, divu, 0x2aaaaaa7, 0xffffffec, 0x00000006)
    RR_RD2(42, divu, 0x40000000, 0x80000000, 0x00000002)
    RR_SAME(43, divu, 0x00000001, 0xdeadbeef)
    RR_SAME(44, divu, 0x00000001, 0xffffffff)
    RR_CHAIN(45, divu, 0x20000000, 0x80000000, 0x00000002)

    /* x0 as a source (reads 0) and as the destination (the write is discarded) */
    RR_Z1(46, divu, 0x00000000, 0x00000006)
    RR_Z1(47, divu, 0x00000000, 0xffffffff)
    RR_Z2(48, divu, 0xffffffff, 0xffffffec)
    RR_Z2(49, divu, 0xffffffff, 0x80000000)
    RR_Z12(50, divu, 0xffffffff)
    RR_ZD(51, divu, 0xffffffec, 0x00000006)
    RR_ZD(52, divu, 0xffffffff, 0xffffffff)

    /* bypass: the result consumed 0, 1, 2 instructions later; operands produced just before */
    RR_FWD(53, divu, 0x2aaaaaa7, 0xffffffec, 0x00000006, 0)
    RR_FWD(54, divu, 0x00000000, 0x00000014, 0xfffffffa, 1)
    RR_FWD(55, divu, 0x00000000, 0xffffffec, 0xfffffffa, 2)
    RR_SRC(56, divu, 0x00000000, 0x00000014, 0xfffffffa, 0, 0)
    RR_SRC(57, divu, 0x00000000, 0xffffffec, 0xfffffffa, 0, 1)
    RR_SRC(58, divu, 0x00000000, 0x00000000, 0x00000001, 0, 2)
    RR_SRC(59, divu, 0x00000001, 0x00000001, 0x00000001, 1, 0)
    RR_SRC(60, divu, 0x00000001, 0x00000007, 0x00000007, 1, 1)
    RR_SRC(61, divu, 0x00000000, 0x00000006, 0x00000007, 2, 0)
BH_END
