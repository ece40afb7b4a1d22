/*
 * bne: branch if rs1 != rs2.
 * Targets are pc-relative, in multiples of 2 bytes (misaligned targets: mi/ma_fetch.S).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* each case checks a forward and a backward branch: taken (YES) or not (NO) */
    BR_NO(2, bne, 0x00000000, 0x00000000)
    BR_YES(3, bne, 0x00000000, 0x00000001)
    BR_YES(4, bne, 0x00000001, 0x00000000)
    BR_YES(5, bne, 0xffffffff, 0x00000000)
    BR_YES(6, bne, 0x00000000, 0xffffffff)
    BR_NO(7, bne, 0xffffffff, 0xffffffff)
    BR_YES(8, bne, 0xffffffff, 0x00000001)
    BR_YES(9, bne, 0x00000001, 0xffffffff)
    BR_YES(10, bne, 0x80000000, 0x7fffffff)
    BR_YES(11, bne, 0x7fffffff, 0x80000000)
    BR_YES(12, bne, 0x80000000, 0x00000000)
    BR_YES(13, bne, 0x00000000, 0x80000000)
    BR_YES(14, bne, 0x80000000, 0xffffffff)
    BR_YES(15, bne, 0xffffffff, 0x80000000)
    BR_YES(16, bne, 0x7fffffff, 0x7ffffffe)
    BR_YES(17, bne, 0x7ffffffe, 0x7fffffff)
    BR_YES(18, bne, 0xfffffffe, 0xffffffff)
    BR_YES(19, bne, 0xffffffff, 0xfffffffe)
    BR_YES(20, bne, 0x80000001, 0x80000000)
    BR_YES(21, bne, 0x80000000, 0x80000001)
    BR_NO(22, bne, 0x12345678, 0x12345678)
    BR_YES(23, bne, 0xfffff800, 0x00000800)
    BR_YES(24, bne, 0x00000003, 0x00000007)
    BR_YES(25, bne, 0x00000007, 0x00000003)

    /* x0 and other registers as operands; rs1 = rs2 */
    BR_NO_R(26, bne, 0x00000000, 0x00000000, x0, x0)
    BR_YES_R(27, bne, 0x00000000, 0x00000005, x0, x5)
    BR_YES_R(28, bne, 0x00000005, 0x00000000, x5, x0)
    BR_YES_R(29, bne, 0xffffffff, 0x00000000, x29, x0)
    BR_YES_R(30, bne, 0x00000000, 0xffffffff, x0, x28)
    BR_YES_R(31, bne, 0x80000000, 0x00000007, x1, x2)
    BR_NO_R(32, bne, 0x00000007, 0x00000007, x27, x27)

    /* a branch writes no register: the operands survive */
    CASE(33)
    li x11, 0x11111111
    li x12, 0x22222222
    bne x11, x12, 1f
    nop
1:
    EXPECT(x11, 0x11111111)
    EXPECT(x12, 0x22222222)

    /* a long branch: offset near the +/-4 KiB limit */
    CASE(34)
    li x11, 0x00000000
    li x12, 0x00000001
    bne x11, x12, 2f
    FAIL_NOW
    .skip 4000
2:
    j 4f
3:
    j 5f
    .skip 4000
4:
    bne x11, x12, 3b
    FAIL_NOW
5:

    /* the instructions a taken branch skips are not executed */
    CASE(35)
    li x13, 0
    li x11, 0x00000000
    li x12, 0x00000001
    bne x11, x12, 1f
    addi x13, x13, 1
    addi x13, x13, 2
1:
    addi x13, x13, 4
    EXPECT(x13, 4)
BH_END
