/*
 * sstatus is a restricted view of mstatus (privileged spec 4.1.1): SIE, SPIE, SPP, SUM, MXR
 * (and UBE, FS, XS, SD, all 0 here) are the same bits in both; the machine-only fields (MIE,
 * MPIE, MPP, MPRV, TVM, TW, TSR) read as 0 in sstatus and are not written through it.
 * sie/sip are views of mie/mip: bits of interrupts delegated in mideleg are visible there;
 * the bits of undelegated interrupts read as zero and are not writable (spec 3.1.9).
 */
#include "bh_env.h"
#include "bh_test.h"

#define S_FIELDS (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR)
#define M_FIELDS (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)

BH_BEGIN
    /* mstatus S fields show in sstatus */
    CASE(2)
    li x11, S_FIELDS
    csrs mstatus, x11
    EXPECT_CSR_BITS(sstatus, S_FIELDS, S_FIELDS)
    csrc mstatus, x11
    EXPECT_CSR_BITS(sstatus, S_FIELDS, 0)

    /* M fields do not show in sstatus */
    CASE(3)
    li x11, M_FIELDS
    csrs mstatus, x11
    EXPECT_CSR_BITS(sstatus, M_FIELDS, 0)
    li x11, M_FIELDS
    csrc mstatus, x11

    /* writing sstatus changes the S fields of mstatus, and no M field */
    CASE(4)
    li x11, -1
    csrw sstatus, x11
    EXPECT_CSR_BITS(mstatus, S_FIELDS | M_FIELDS, S_FIELDS)
    CASE(5)
    li x11, MSTATUS_MIE | MSTATUS_MPP_S
    csrs mstatus, x11
    csrw sstatus, zero
    EXPECT_CSR_BITS(mstatus, S_FIELDS | M_FIELDS, MSTATUS_MIE | MSTATUS_MPP_S)
    csrci mstatus, MSTATUS_MIE
    li x11, MSTATUS_MPP
    csrc mstatus, x11

    /* each field, one at a time, set through sstatus, seen in mstatus */
    CASE(6);  csrsi sstatus, MSTATUS_SIE;  EXPECT_CSR_BITS(mstatus, MSTATUS_SIE, MSTATUS_SIE)
    CASE(7);  li x11, MSTATUS_SPIE; csrs sstatus, x11; EXPECT_CSR_BITS(mstatus, MSTATUS_SPIE, MSTATUS_SPIE)
    CASE(8);  li x11, MSTATUS_SPP;  csrs sstatus, x11; EXPECT_CSR_BITS(mstatus, MSTATUS_SPP, MSTATUS_SPP)
    CASE(9);  li x11, MSTATUS_SUM;  csrs sstatus, x11; EXPECT_CSR_BITS(mstatus, MSTATUS_SUM, MSTATUS_SUM)
    CASE(10); li x11, MSTATUS_MXR;  csrs sstatus, x11; EXPECT_CSR_BITS(mstatus, MSTATUS_MXR, MSTATUS_MXR)
    csrw sstatus, zero

    /* from S itself */
    CASE(11)
    GO_S
    li x11, MSTATUS_SUM | MSTATUS_SIE
    csrs sstatus, x11
    csrr x13, sstatus
    GO_UP
    EXPECT_BITS(x13, MSTATUS_SUM | MSTATUS_SIE, MSTATUS_SUM | MSTATUS_SIE)
    EXPECT_CSR_BITS(mstatus, MSTATUS_SUM | MSTATUS_SIE, MSTATUS_SUM | MSTATUS_SIE)
    csrw sstatus, zero

    /* sie / sip: undelegated bits read 0 and ignore writes */
    CASE(12)
    csrw mideleg, zero
    li x11, MIP_SSIP | MIP_STIP
    csrw mie, x11
    csrs mip, x11
    EXPECT_CSR_BITS(sie, MIP_SSIP | MIP_STIP, 0)
    EXPECT_CSR_BITS(sip, MIP_SSIP | MIP_STIP, 0)
    CASE(13)
    csrw mie, zero
    csrs sie, x11
    EXPECT_CSR_BITS(mie, MIP_SSIP | MIP_STIP, 0)
    /* delegated: visible and writable */
    CASE(14)
    csrw mideleg, x11
    EXPECT_CSR_BITS(sip, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP)
    csrs sie, x11
    EXPECT_CSR_BITS(mie, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP)
    EXPECT_CSR_BITS(sie, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP)
    CASE(15)
    csrci sip, MIP_SSIP             /* SSIP is writable in sip */
    EXPECT_CSR_BITS(mip, MIP_SSIP, 0)
    csrc sie, x11
    EXPECT_CSR_BITS(mie, MIP_SSIP | MIP_STIP, 0)
    /* machine bits never show in sie / sip */
    CASE(16)
    li x12, MIP_MSIP | MIP_MTIP
    csrs mie, x12
    EXPECT_CSR_BITS(sie, MIP_MSIP | MIP_MTIP | MIP_MEIP, 0)
    csrw mie, zero
    li x11, MIP_STIP
    csrc mip, x11
    csrw mideleg, zero
BH_END
