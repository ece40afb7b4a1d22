/*
 * Supervisor software interrupt, delegated (mideleg bit 1): M raises it by setting mip.SSIP;
 * it is taken in S (scause = 0x80000001, sepc = the next instruction not executed, SPP and
 * SPIE record the interrupted state) when the hart is in S with sstatus.SIE = 1 and sie.SSIE
 * = 1, or in U whatever SIE says. It is never taken in M, even with mstatus.MIE = 1. S clears
 * it through sip. Undelegated, the same interrupt goes to M, even from S with SIE = 0.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    li x11, MIP_SSIP
    csrw mideleg, x11
    csrw mie, x11                   /* sie.SSIE */

    /* pending in M (delegated): never taken in M */
    CASE(2)
    csrsi mip, MIP_SSIP
    csrsi mstatus, MSTATUS_MIE
    SPIN(100)
    csrci mstatus, MSTATUS_MIE
    EXPECT_CSR_BITS(sip, MIP_SSIP, MIP_SSIP)

    /* entering S with SIE = 1: taken before the first S instruction */
    CASE(3)
    li x11, MSTATUS_SIE
    csrs mstatus, x11
    li x11, MSTATUS_MPP
    csrc mstatus, x11
    li x11, MSTATUS_MPP_S
    csrs mstatus, x11
    LA_ABS(x11, 10f)
    csrw mepc, x11
    ARM_S(11f)
    mret
10: nop
    FAIL_NOW
11: EXPECT_SCAUSE(CAUSE_IRQ_SSI)
    EXPECT_SEPC(10b)
    EXPECT_STVAL(0)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
    /* S clears it through sip */
    CASE(4)
    csrci sip, MIP_SSIP
    csrr x13, sip
    GO_UP
    EXPECT_BITS(x13, MIP_SSIP, 0)
    EXPECT_CSR_BITS(mip, MIP_SSIP, 0)

    /* in S with SIE = 0: pending, not taken; setting SIE takes it at once */
    CASE(5)
    csrsi mip, MIP_SSIP
    GO_S
    csrci sstatus, MSTATUS_SIE
    SPIN(100)
    ARM_S(13f)
    csrsi sstatus, MSTATUS_SIE
12: nop
    FAIL_NOW
13: EXPECT_SCAUSE(CAUSE_IRQ_SSI)
    EXPECT_SEPC(12b)
    csrci sip, MIP_SSIP
    /* S raises it itself */
    CASE(6)
    csrsi sstatus, MSTATUS_SIE
    ARM_S(15f)
    csrsi sip, MIP_SSIP
14: nop
    FAIL_NOW
15: EXPECT_SCAUSE(CAUSE_IRQ_SSI)
    EXPECT_SEPC(14b)
    csrci sip, MIP_SSIP
    /* sie.SSIE = 0 masks it */
    CASE(7)
    csrci sie, MIP_SSIP
    csrsi sstatus, MSTATUS_SIE
    csrsi sip, MIP_SSIP
    SPIN(100)
    csrci sstatus, MSTATUS_SIE
    csrsi sie, MIP_SSIP
    csrci sip, MIP_SSIP
    GO_UP

    /* in U: taken whatever SIE says, SPP = U */
    CASE(8)
    csrci mstatus, MSTATUS_SIE
    csrsi mip, MIP_SSIP
    li x11, MSTATUS_MPP
    csrc mstatus, x11
    LA_ABS(x11, 16f)
    csrw mepc, x11
    ARM_S(17f)
    mret
16: nop
    FAIL_NOW
17: EXPECT_SCAUSE(CAUSE_IRQ_SSI)
    EXPECT_SEPC(16b)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP, 0)
    csrci sip, MIP_SSIP
    GO_UP

    /* not delegated: goes to M, at once on entering S even with SIE = 0 */
    CASE(9)
    csrw mideleg, zero
    csrci mstatus, MSTATUS_SIE
    csrsi mip, MIP_SSIP             /* mie.SSIE is still 1; M has MIE = 0 */
    SPIN(100)
    ARM_M(19f)
    GO_S
    FAIL_NOW
19: EXPECT_MCAUSE(CAUSE_IRQ_SSI)
    EXPECT_FROM_MODE(1)
    csrci mip, MIP_SSIP
    csrw mie, zero
BH_END
