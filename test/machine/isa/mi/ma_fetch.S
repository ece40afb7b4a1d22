/*
 * Misaligned instruction addresses (no C extension: IALIGN = 32). A taken jal, jalr or branch
 * whose target is not a multiple of 4 raises cause 0 (instruction address misaligned) on the
 * jump itself (unprivileged spec 2.5): mepc = the jump, mtval = the target, and the link
 * register is not written. jalr clears bit 0 first, so only bit 1 matters for it. A branch not
 * taken never traps, whatever its target.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* jalr to pc + 2 */
    CASE(2)
    li x13, 0x5555
    LA_ABS(x11, 10f)
    addi x11, x11, 2
    ARM_M(11f)
10: jalr x13, 0(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(10b)
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x11)
    EXPECT(x13, 0x5555)

    /* jalr with offset 3: target & ~1 = +2 */
    CASE(3)
    LA_ABS(x11, 12f)
    addi x12, x11, 2
    ARM_M(13f)
12: jalr x13, 3(x11)
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(12b)
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12)
    EXPECT(x13, 0x5555)

    /* jalr rd = rs1: neither written */
    CASE(4)
    LA_ABS(x13, 14f)
    addi x13, x13, 6
    mv x12, x13
    ARM_M(15f)
14: jalr x13, 0(x13)
    FAIL_NOW
15: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12)
    EXPECT_REG(x13, x12)

    /* jalr with bit 0 of the sum set: aligned after clearing bit 0, no trap */
    CASE(5)
    LA_ABS(x11, 16f)
    jalr x13, 1(x11)
    FAIL_NOW
16: LA_ABS(x11, 17f+1)
    jalr x13, 0(x11)
    FAIL_NOW
17:

    /* jal to pc + 6, taken branches to pc + 2 and pc - 2 */
    CASE(6)
    li x13, 0x5555
    ARM_M(19f)
18: jal x13, 6
    FAIL_NOW
19: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(18b)
    EXPECT_MTVAL_LA(18b+6)
    EXPECT(x13, 0x5555)

    CASE(7)
    ARM_M(21f)
20: beq x0, x0, 2
    FAIL_NOW
21: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(20b)
    EXPECT_MTVAL_LA(20b+2)

    CASE(8)
    li x11, 1
    ARM_M(23f)
22: bne x11, x0, -2
    FAIL_NOW
23: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(22b)
    EXPECT_MTVAL_LA(22b-2)

    CASE(9)
    li x11, -1
    ARM_M(25f)
24: bltu x0, x11, 10
    FAIL_NOW
25: EXPECT_MCAUSE(CAUSE_FETCH_MISALIGNED)
    EXPECT_MEPC(24b)
    EXPECT_MTVAL_LA(24b+10)

    /* branches not taken to misaligned targets: no trap */
    CASE(10)
    li x11, 1
    beq x11, x0, 2
    bne x0, x0, -2
    blt x11, x0, 6
    bge x0, x11, 10
    bltu x11, x0, 2
    bgeu x0, x11, 2
    EXPECT(x11, 1)
BH_END
