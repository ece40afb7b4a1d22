/*
 * Entering S-mode with mret (MPP = S) and leaving it by trap (paging off: bare addressing).
 * In S: ordinary code and memory work; supervisor CSRs are accessible; any machine CSR
 * (address bits 9:8 = 11) is illegal (cause 2, to M: not delegated; mtval = instruction);
 * mret is illegal; ecall is cause 9 and ebreak cause 3, both taken in M with MPP = S.
 */
#include "bh_env.h"
#include "bh_test.h"

#define S_ILLEGAL(n, insn...) CASE(n); GO_S; ILLEGAL_M(n, insn); EXPECT_FROM_MODE(1)

BH_BEGIN
    /* ecall from S */
    CASE(2)
    GO_S
    li x11, 0x1234
    TRAP_M(2, CAUSE_ECALL_S, ecall)
    EXPECT_FROM_MODE(1)
    EXPECT_MTVAL(0)
    EXPECT(x11, 0x1234)

    /* ebreak from S: mtval = its pc */
    CASE(3)
    GO_S
    TRAP_M(3, CAUSE_BREAKPOINT, ebreak)
    EXPECT_FROM_MODE(1)
    EXPECT_MTVAL_LA(8800b)

    /* ordinary work in S: arithmetic, memory, branches */
    CASE(4)
    GO_S
    la x11, sm_word
    lw x12, 0(x11)
    addi x12, x12, 1
    sw x12, 0(x11)
    GO_UP
    EXPECT_MEM(sm_word, 0x1001)

    /* supervisor CSRs are fine in S */
    CASE(5)
    GO_S
    li x11, 0x5a5a5a5a
    csrw sscratch, x11
    csrr x13, sscratch
    csrr x14, sstatus
    csrr x14, sie
    csrr x14, sip
    csrr x14, stvec
    csrr x14, sepc
    csrr x14, scause
    csrr x14, stval
    csrr x14, satp
    GO_UP
    EXPECT(x13, 0x5a5a5a5a)

    /* machine CSRs are not */
    S_ILLEGAL(6,  csrr x13, mstatus)
    S_ILLEGAL(7,  csrw mscratch, x11)
    S_ILLEGAL(8,  csrr x13, mepc)
    S_ILLEGAL(9,  csrr x13, mtvec)
    S_ILLEGAL(10, csrs mie, x11)
    S_ILLEGAL(11, csrr x13, mip)
    S_ILLEGAL(12, csrw medeleg, x11)
    S_ILLEGAL(13, csrr x13, misa)
    S_ILLEGAL(14, csrr x13, mhartid)
    S_ILLEGAL(15, csrr x13, mcycle)
    S_ILLEGAL(16, csrr x13, mcause)
    S_ILLEGAL(17, csrr x13, mideleg)
    S_ILLEGAL(18, csrrsi x13, mstatus, 0)  /* even a pure read */
    /* mret from S */
    S_ILLEGAL(19, mret)

    /* M's own state is intact */
    CASE(20)
    li x11, 0x77
    csrw mscratch, x11
    csrr x13, mscratch
    EXPECT(x13, 0x77)
BH_END

sm_word: .word 0x1000
