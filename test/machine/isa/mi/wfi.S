/*
 * wfi (privileged spec 3.3.3): the hart may stall until an interrupt is pending in
 * mip & mie; it must resume then even if mstatus.MIE = 0 (and then continues after the wfi,
 * no trap). With MIE = 1 the interrupt is taken with mepc = the instruction after the wfi.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* a timer interrupt due soon, enabled locally only: wfi returns, no trap */
    CASE(2)
    li x11, MIP_MTIP
    csrw mie, x11
    MTIMECMP_IN(30)
    wfi
    EXPECT_CSR_BITS(mip, MIP_MTIP, MIP_MTIP)
    EXPECT_REC(bh_mrec, BH_REC_COUNT, 0)
    MTIMECMP_NEVER
    WAIT_CSR_CLEAR(mip, MIP_MTIP)

    /* an interrupt already pending (msip): wfi does not wait for another */
    CASE(3)
    li x11, MIP_MSIP
    csrw mie, x11
    SET_MSIP(1)
    WAIT_CSR_SET(mip, MIP_MSIP)
    wfi
    wfi
    EXPECT_REC(bh_mrec, BH_REC_COUNT, 0)
    SET_MSIP(0)
    WAIT_CSR_CLEAR(mip, MIP_MSIP)

    /* with MIE = 1: the interrupt is taken after the wfi */
    CASE(4)
    li x11, MIP_MTIP
    csrw mie, x11
    MTIMECMP_IN(30)
    ARM_M(11f)
    csrsi mstatus, MSTATUS_MIE
    wfi
10: nop
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_IRQ_MTI)
    EXPECT_MEPC(10b)
    MTIMECMP_NEVER
    csrw mie, zero
BH_END
