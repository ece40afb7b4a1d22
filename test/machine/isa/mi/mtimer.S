/*
 * Machine timer: mtime (CLINT +0xBFF8) counts up; mip.MTIP is set while mtime >= mtimecmp
 * (+0x4000), both 64-bit unsigned, and is read-only in mip (cleared by writing mtimecmp).
 * The interrupt: mcause = 0x80000007. Priorities (privileged spec 3.1.9): MSI before MTI.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    csrw mie, zero

    /* mtime advances */
    CASE(2)
    li x11, CLINT_MTIME_LO
    lw x12, 0(x11)
    SPIN(200)
    lw x13, 0(x11)
    bltu x12, x13, 10f
    FAIL_NOW
10:
    /* the high word of mtime is readable (and small this early) */
    CASE(3)
    li x11, CLINT_MTIME_HI
    lw x13, 0(x11)
    EXPECT(x13, 0)

    /* mtimecmp reads back */
    CASE(4)
    li x11, CLINT_MTIMECMP_LO
    li x12, 0x89abcdef
    sw x12, 0(x11)
    li x12, 0x01234567
    sw x12, 4(x11)
    lw x13, 0(x11)
    EXPECT(x13, 0x89abcdef)
    lw x13, 4(x11)
    EXPECT(x13, 0x01234567)

    /* the compare is 64-bit: mtimecmp = 2^32 is in the future */
    CASE(5)
    li x11, CLINT_MTIMECMP_LO
    li x12, 1
    sw x12, 4(x11)
    sw zero, 0(x11)
    SPIN(50)
    EXPECT_CSR_BITS(mip, MIP_MTIP, 0)

    /* mtimecmp in the future: not pending; after a while, pending (no trap: mie = 0) */
    CASE(6)
    MTIMECMP_IN(40)
    EXPECT_CSR_BITS(mip, MIP_MTIP, 0)
    WAIT_CSR_SET(mip, MIP_MTIP)
    CASE(7)                     /* then mtime >= mtimecmp */
    li x11, CLINT_MTIME_LO
    lw x12, 0(x11)
    li x11, CLINT_MTIMECMP_LO
    lw x13, 0(x11)
    bgeu x12, x13, 11f
    FAIL_NOW
11:
    /* MTIP is read-only in mip */
    CASE(8)
    li x11, MIP_MTIP
    csrc mip, x11
    EXPECT_CSR_BITS(mip, MIP_MTIP, MIP_MTIP)

    /* pending, then enabled: trap at once */
    CASE(9)
    csrsi mstatus, MSTATUS_MIE
    li x11, MIP_MTIP
    ARM_M(13f)
    csrs mie, x11
12: nop
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_IRQ_MTI)
    EXPECT_MEPC(12b)
    EXPECT_MTVAL(0)

    /* writing mtimecmp into the future clears MTIP */
    CASE(10)
    MTIMECMP_NEVER
    WAIT_CSR_CLEAR(mip, MIP_MTIP)

    /* a timer interrupt arriving while the hart loops */
    CASE(11)
    MTIMECMP_IN(50)
    csrsi mstatus, MSTATUS_MIE
    ARM_M(14f)
    WAIT_FOR_TRAP
14: EXPECT_MCAUSE(CAUSE_IRQ_MTI)
    MTIMECMP_NEVER

    /* MSI and MTI both pending: MSI first, then MTI */
    CASE(12)
    li x11, CLINT_MTIMECMP_LO
    sw zero, 0(x11)
    sw zero, 4(x11)
    SET_MSIP(1)
    WAIT_CSR_SET(mip, MIP_MSIP)
    WAIT_CSR_SET(mip, MIP_MTIP)
    li x11, MIP_MSIP | MIP_MTIP
    csrw mie, x11
    ARM_M(15f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
15: EXPECT_MCAUSE(CAUSE_IRQ_MSI)
    CASE(13)
    SET_MSIP(0)
    WAIT_CSR_CLEAR(mip, MIP_MSIP)
    ARM_M(16f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
16: EXPECT_MCAUSE(CAUSE_IRQ_MTI)
    MTIMECMP_NEVER
    csrw mie, zero
BH_END
