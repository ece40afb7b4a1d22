/*
 * Machine software interrupt through the CLINT msip word (0x02000000): it drives mip.MSIP,
 * which is read-only in mip. The interrupt is taken when mie.MSIE is set and either the hart
 * is in M with mstatus.MIE = 1, or the hart is in a lower mode (then always). A write to
 * mstatus that enables it makes it trap before the next instruction (privileged spec 3.1.9).
 * Interrupt trap: mcause = 0x80000003, mepc = the next instruction not executed, mtval = 0,
 * MPIE := MIE, MIE := 0.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* msip = 1 with the interrupt disabled: pending, visible, no trap */
    CASE(2)
    csrw mie, zero
    SET_MSIP(1)
    WAIT_CSR_SET(mip, MIP_MSIP)
    SPIN(100)
    CASE(3)
    li x11, CLINT_MSIP
    lw x13, 0(x11)
    EXPECT(x13, 1)

    /* msip = 0: no longer pending */
    CASE(4)
    SET_MSIP(0)
    WAIT_CSR_CLEAR(mip, MIP_MSIP)

    /* MSIP is read-only in mip: csrs does not set it */
    CASE(5)
    csrsi mip, MIP_MSIP
    EXPECT_CSR_BITS(mip, MIP_MSIP, 0)

    /* enabled locally, globally disabled: no trap */
    CASE(6)
    li x11, MIP_MSIP
    csrw mie, x11
    SET_MSIP(1)
    WAIT_CSR_SET(mip, MIP_MSIP)
    SPIN(100)

    /* setting mstatus.MIE takes the interrupt before the next instruction */
    CASE(7)
    li x11, 0x1234
    csrw mtval, x11
    ARM_M(11f)
    csrsi mstatus, MSTATUS_MIE
10: nop
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_IRQ_MSI)
    EXPECT_MEPC(10b)
    EXPECT_MTVAL(0)
    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP)
    CASE(8)
    EXPECT_CSR_BITS(mstatus, MSTATUS_MIE, 0)    /* handler returned with MIE = 0 */
    EXPECT_CSR_BITS(mip, MIP_MSIP, MIP_MSIP)    /* still pending: msip still 1 */

    /* setting mie.MSIE with MIE = 1 also takes it at once */
    CASE(9)
    csrw mie, zero
    csrsi mstatus, MSTATUS_MIE
    li x11, MIP_MSIP
    ARM_M(13f)
    csrs mie, x11
12: nop
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_IRQ_MSI)
    EXPECT_MEPC(12b)

    /* raised by a store to msip while enabled: taken within a bounded time */
    CASE(10)
    SET_MSIP(0)
    WAIT_CSR_CLEAR(mip, MIP_MSIP)
    csrsi mstatus, MSTATUS_MIE
    ARM_M(14f)
    SET_MSIP(1)
    WAIT_FOR_TRAP
14: EXPECT_MCAUSE(CAUSE_IRQ_MSI)

    /* in U-mode, machine interrupts are enabled whatever mstatus.MIE says: taken at the first
       U instruction (not executed), recorded MPP = U */
    CASE(11)
    li x11, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    csrc mstatus, x11
    LA_ABS(x11, 15f)
    csrw mepc, x11
    ARM_M(16f)
    mret
15: nop
    FAIL_NOW
16: EXPECT_MCAUSE(CAUSE_IRQ_MSI)
    EXPECT_MEPC(15b)
    EXPECT_FROM_MODE(0)

    /* mie.MSIE = 0 masks it, even with MIE = 1 */
    CASE(12)
    csrw mie, zero
    csrsi mstatus, MSTATUS_MIE
    SPIN(100)
    csrci mstatus, MSTATUS_MIE
    SET_MSIP(0)
BH_END
