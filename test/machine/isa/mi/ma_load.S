/*
 * Misaligned loads: this machine does not emulate them; every misaligned lh, lhu, lw traps
 * with cause 4 (load address misaligned), mepc = the load, mtval = the effective address, and
 * rd unchanged. Aligned accesses and byte loads never trap.
 */
#include "bh_env.h"
#include "bh_test.h"

#define MA_LOAD(n, op, off) \
    CASE(n); li x13, 0x5555; la x11, ma_buf; addi x12, x11, off; \
    ARM_M(8801f); 8800: op x13, off(x11); FAIL_NOW; \
    8801: EXPECT_MCAUSE(CAUSE_LOAD_MISALIGNED); EXPECT_MEPC(8800b); \
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12); EXPECT(x13, 0x5555)

BH_BEGIN
    MA_LOAD(2,  lh, 1)
    MA_LOAD(3,  lh, 3)
    MA_LOAD(4,  lhu, 1)
    MA_LOAD(5,  lhu, 3)
    MA_LOAD(6,  lw, 1)
    MA_LOAD(7,  lw, 2)
    MA_LOAD(8,  lw, 3)
    MA_LOAD(9,  lw, 5)
    MA_LOAD(10, lh, 7)
    MA_LOAD(11, lw, 15)

    /* misaligned through a negative offset (the sum is what counts) */
    CASE(12)
    la x11, ma_buf+8
    addi x12, x11, -6
    ARM_M(11f)
10: lw x13, -6(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_LOAD_MISALIGNED)
    EXPECT_MEPC(10b)
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12)

    /* misaligned base + offset that makes it aligned: no trap */
    CASE(13)
    la x11, ma_buf+1
    lw x13, 3(x11)
    EXPECT(x13, 0x07060504)
    lh x13, 1(x11)
    EXPECT(x13, 0x0302)

    /* aligned loads and byte loads at every offset do not trap */
    CASE(14)
    la x11, ma_buf
    lb x13, 1(x11)
    lbu x13, 3(x11)
    EXPECT(x13, 3)
    lh x13, 2(x11)
    EXPECT(x13, 0x0302)
    lw x13, 4(x11)
    EXPECT(x13, 0x07060504)

    /* rd = x0: still traps */
    CASE(15)
    la x11, ma_buf
    ARM_M(13f)
12: lw x0, 1(x11)
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_LOAD_MISALIGNED)
    EXPECT_MEPC(12b)
BH_END

    .balign 16
ma_buf: .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        .byte 16, 17, 18, 19, 20, 21, 22, 23
