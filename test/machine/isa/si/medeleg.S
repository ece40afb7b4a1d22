/*
 * Exception delegation (privileged spec 3.1.8): a trap from S or U whose cause bit is set in
 * medeleg goes to S: scause, sepc, stval are written, sstatus.SPP = the mode trapped from,
 * SPIE := SIE, SIE := 0, and the M-mode trap CSRs are untouched. Here: ecall from U (8),
 * illegal instruction (2, stval = the instruction) and breakpoint (3) from U and from S.
 * Undelegated causes still go to M, and so does ecall from S (9) when bit 9 is clear.
 * sret returns from S's handler. (Page faults: vm_deleg.S.)
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* medeleg: delegatable bits are writable, bit 11 (ecall from M) is not */
    CASE(2)
    li x11, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ECALL_M)
    csrw medeleg, x11
    EXPECT_CSR_BITS(medeleg, 0xfff, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT))
    LA_ABS(x11, bh_mrec)
    lw x20, BH_REC_COUNT(x11)       /* M traps so far */

    /* ecall from U goes to S */
    CASE(3)
    GO_S
    ARM_S(11f)
    li x30, MSTATUS_SPIE            /* sret makes SIE = 1 in U: the trap must record it */
    csrs sstatus, x30
    GO_U_FROM_S
10: ecall
    FAIL_NOW
11: EXPECT_SCAUSE(CAUSE_ECALL_U)
    EXPECT_SEPC(10b)
    EXPECT_STVAL(0)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE)
    csrr x13, scause                /* the live CSR, read in S */
    EXPECT(x13, CAUSE_ECALL_U)
    GO_UP
    /* M saw one trap only: the ecall from S that climbed back */
    CASE(4)
    addi x20, x20, 1
    EXPECT_REC_REG(bh_mrec, BH_REC_COUNT, x20)
    EXPECT_MCAUSE(CAUSE_ECALL_S)

    /* illegal instruction from U, to S, with stval = the instruction */
    CASE(5)
    GO_S
    ARM_S(15f)
    GO_U_FROM_S
14: csrr x13, sstatus
    FAIL_NOW
15: EXPECT_SCAUSE(CAUSE_ILLEGAL)
    EXPECT_SEPC(14b)
    EXPECT_REC_INSN(bh_srec, BH_REC_TVAL, 14b)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP, 0)
    GO_UP

    /* illegal instruction from S, to S (SPP = S) */
    CASE(6)
    GO_S
    ILLEGAL_S(6, csrr x13, mstatus)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP, MSTATUS_SPP)
    GO_UP
    /* breakpoint from S and from U, to S */
    CASE(7)
    GO_S
    TRAP_S(7, CAUSE_BREAKPOINT, ebreak)
    CASE(8)
    ARM_S(17f)
    GO_U_FROM_S
16: ebreak
    FAIL_NOW
17: EXPECT_SCAUSE(CAUSE_BREAKPOINT)
    EXPECT_SEPC(16b)
    GO_UP

    /* ecall from S is not delegated: M */
    CASE(9)
    GO_S
    TRAP_M(9, CAUSE_ECALL_S, ecall)
    EXPECT_FROM_MODE(1)

    /* a cause not delegated (misaligned load) from U goes to M */
    CASE(10)
    la x11, md_word
    GO_U
    TRAP_M(10, CAUSE_LOAD_MISALIGNED, lw x13, 1(x11))
    EXPECT_FROM_MODE(0)

    /* delegation off: ecall from U goes to M again */
    CASE(11)
    csrw medeleg, zero
    GO_U
    TRAP_M(11, CAUSE_ECALL_U, ecall)

    /* traps in M are never delegated, whatever medeleg says */
    CASE(12)
    li x11, (1 << CAUSE_ILLEGAL)
    csrw medeleg, x11
    ILLEGAL_M(12, .word 0)
    csrw medeleg, zero

    /* the S handler's sret went back to S (SPP = S) or U as recorded: checked by the cases
       above continuing; sret itself: sret.S */
BH_END

md_word: .word 0, 0
