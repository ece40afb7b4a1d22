/*
 * Misaligned stores: every misaligned sh, sw traps with cause 6 (store address misaligned),
 * mepc = the store, mtval = the effective address, and memory unchanged (no partial write).
 */
#include "bh_env.h"
#include "bh_test.h"

#define MA_STORE(n, op, off) \
    CASE(n); la x11, ma_buf; addi x12, x11, off; li x13, -1; \
    ARM_M(8801f); 8800: op x13, off(x11); FAIL_NOW; \
    8801: EXPECT_MCAUSE(CAUSE_STORE_MISALIGNED); EXPECT_MEPC(8800b); \
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12); \
    EXPECT_MEM(ma_buf, 0x03020100); EXPECT_MEM(ma_buf+4, 0x07060504); \
    EXPECT_MEM(ma_buf+8, 0x0b0a0908); EXPECT_MEM(ma_buf+12, 0x0f0e0d0c)

BH_BEGIN
    MA_STORE(2,  sh, 1)
    MA_STORE(3,  sh, 3)
    MA_STORE(4,  sh, 5)
    MA_STORE(5,  sw, 1)
    MA_STORE(6,  sw, 2)
    MA_STORE(7,  sw, 3)
    MA_STORE(8,  sw, 6)
    MA_STORE(9,  sw, 11)

    /* misaligned through a negative offset */
    CASE(10)
    la x11, ma_buf+8
    addi x12, x11, -2
    ARM_M(11f)
10: sw x13, -2(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_STORE_MISALIGNED)
    EXPECT_MEPC(10b)
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12)
    EXPECT_MEM(ma_buf+4, 0x07060504)

    /* stores that end up aligned, and byte stores, do not trap */
    CASE(11)
    la x11, ma_buf+1
    li x13, 0x44332211
    sw x13, 15(x11)
    sh x13, 19(x11)
    sb x13, 22(x11)
    EXPECT_MEM(ma_buf+16, 0x44332211)
    EXPECT_MEM(ma_buf+20, 0x11002211)
BH_END

    .balign 16
ma_buf: .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        .word 0, 0
