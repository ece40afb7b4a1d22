/*
 * ecall from M-mode: cause 11, mepc = the ecall, mtval = 0, no register changed. Trap entry
 * (privileged spec 3.1.6.1): MPIE := MIE, MIE := 0, MPP := M. Traps never go to a lower
 * mode: with every medeleg bit set, an ecall in M still traps to M, and medeleg[11] (ecall
 * from M) is read-only zero.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    CASE(2)
    li x11, 0x1111
    li x12, 0x2222
    li a0, 0x3333
    csrw mtval, x11             /* stale value: must be replaced by 0 */
    ARM_M(11f)
10: ecall
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_ECALL_M)
    EXPECT_MEPC(10b)
    EXPECT_MTVAL(0)
    EXPECT_FROM_MODE(3)
    EXPECT(x11, 0x1111)
    EXPECT(x12, 0x2222)
    EXPECT(a0, 0x3333)

    /* trap entry with MIE = 1: the recorded mstatus has MPIE = 1, MIE = 0 */
    CASE(3)
    csrsi mstatus, MSTATUS_MIE      /* mie = 0: nothing can interrupt */
    ARM_M(13f)
12: ecall
    FAIL_NOW
13: EXPECT_MEPC(12b)
    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP)

    /* trap entry with MIE = 0: MPIE = 0 */
    CASE(4)
    csrci mstatus, MSTATUS_MIE
    ARM_M(15f)
14: ecall
    FAIL_NOW
15: EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MIE | MSTATUS_MPIE, 0)

    /* the handler counted exactly the three traps */
    CASE(5)
    EXPECT_REC(bh_mrec, BH_REC_COUNT, 3)

    /* medeleg does not affect traps taken in M; medeleg[11] reads 0 */
    CASE(6)
    li x11, -1
    csrw medeleg, x11
    csrr x13, medeleg
    EXPECT_BITS(x13, 1 << CAUSE_ECALL_M, 0)
    ARM_M(17f)
16: ecall
    FAIL_NOW
17: EXPECT_MCAUSE(CAUSE_ECALL_M)
    EXPECT_MEPC(16b)
    csrw medeleg, zero

    /* ecall in a loop: each one traps, and execution continues after it */
    CASE(7)
    li x15, 0
18: ARM_M(19f)
    ecall
    FAIL_NOW
19: addi x15, x15, 1
    li x14, 5
    bne x15, x14, 18b
    EXPECT_REC(bh_mrec, BH_REC_COUNT, 9)
BH_END
