/*
 * mtvec in vectored mode (MODE = 1): synchronous exceptions go to BASE, interrupts to
 * BASE + 4 * cause (privileged spec 3.1.7). Each vector records its number in sscratch and
 * joins the common handler. Interrupts used: machine software (3, CLINT msip), machine timer
 * (7, mtimecmp = 0), and the S-level software (1) and timer (5) interrupts raised by M in
 * mip.SSIP / mip.STIP and not delegated, which therefore trap to M.
 */
#include "bh_env.h"
#include "bh_test.h"

#define EXPECT_VECTOR(k) csrr x13, sscratch; EXPECT(x13, k)

BH_BEGIN
    la x11, vtab
    ori x11, x11, 1
    csrw mtvec, x11

    /* exceptions: BASE */
    CASE(2)
    csrwi sscratch, 31
    TRAP_M(2, CAUSE_ECALL_M, ecall)
    EXPECT_VECTOR(0)
    CASE(3)
    csrwi sscratch, 31
    la x11, vtab
    TRAP_M(3, CAUSE_LOAD_MISALIGNED, lw x13, 1(x11))
    EXPECT_VECTOR(0)
    CASE(4)
    csrwi sscratch, 31
    ILLEGAL_M(4, .word 0)
    EXPECT_VECTOR(0)

    /* machine software interrupt: BASE + 12 */
    CASE(5)
    csrwi sscratch, 31
    SET_MSIP(1)
    li x11, MIP_MSIP
    csrw mie, x11
    ARM_M(10f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
10: EXPECT_MCAUSE(CAUSE_IRQ_MSI)
    EXPECT_VECTOR(3)
    SET_MSIP(0)

    /* machine timer interrupt: BASE + 28 */
    CASE(6)
    csrwi sscratch, 31
    li x30, CLINT_MTIMECMP_LO
    sw zero, 0(x30)
    sw zero, 4(x30)             /* mtimecmp = 0 <= mtime: pending */
    li x11, MIP_MTIP
    csrw mie, x11
    ARM_M(11f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
11: EXPECT_MCAUSE(CAUSE_IRQ_MTI)
    EXPECT_VECTOR(7)
    MTIMECMP_NEVER

    /* supervisor software interrupt, not delegated: BASE + 4 */
    CASE(7)
    csrwi sscratch, 31
    csrsi mip, MIP_SSIP
    li x11, MIP_SSIP
    csrw mie, x11
    ARM_M(12f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
12: EXPECT_MCAUSE(CAUSE_IRQ_SSI)
    EXPECT_VECTOR(1)
    csrci mip, MIP_SSIP

    /* supervisor timer interrupt, not delegated: BASE + 20 */
    CASE(8)
    csrwi sscratch, 31
    li x11, MIP_STIP
    csrs mip, x11
    csrw mie, x11
    ARM_M(13f)
    csrsi mstatus, MSTATUS_MIE
    WAIT_FOR_TRAP
13: EXPECT_MCAUSE(CAUSE_IRQ_STI)
    EXPECT_VECTOR(5)
    li x11, MIP_STIP
    csrc mip, x11

    csrw mie, zero
    la x11, bh_mtrap
    csrw mtvec, x11
BH_END

    .text
    .balign 256
vtab:
    j vec0
    j vec1
    j vec2
    j vec3
    j vec4
    j vec5
    j vec6
    j vec7
    j vec8
    j vec9
    j vec10
    j vec11
vec0:  csrwi sscratch, 0;  j bh_mtrap
vec1:  csrwi sscratch, 1;  j bh_mtrap
vec2:  csrwi sscratch, 2;  j bh_mtrap
vec3:  csrwi sscratch, 3;  j bh_mtrap
vec4:  csrwi sscratch, 4;  j bh_mtrap
vec5:  csrwi sscratch, 5;  j bh_mtrap
vec6:  csrwi sscratch, 6;  j bh_mtrap
vec7:  csrwi sscratch, 7;  j bh_mtrap
vec8:  csrwi sscratch, 8;  j bh_mtrap
vec9:  csrwi sscratch, 9;  j bh_mtrap
vec10: csrwi sscratch, 10; j bh_mtrap
vec11: csrwi sscratch, 11; j bh_mtrap
