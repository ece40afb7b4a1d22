/*
 * Privilege checks from U-mode (paging off): supervisor and machine CSRs, sret, mret and
 * sfence.vma are illegal in U (cause 2, to M, mtval = instruction). sret is illegal in U
 * whatever TSR says. Counter access (privileged spec 3.1.11, 4.1.5): with mcounteren.CY/IR
 * clear, reading cycle/instret in S or U is illegal; with mcounteren set and scounteren clear,
 * S may read and U may not; with both set, both may.
 */
#include "bh_env.h"
#include "bh_test.h"

#define U_ILLEGAL(n, insn...) CASE(n); GO_U; ILLEGAL_M(n, insn); EXPECT_FROM_MODE(0)
#define S_ILLEGAL(n, insn...) CASE(n); GO_S; ILLEGAL_M(n, insn); EXPECT_FROM_MODE(1)
#define U_OK(n, insn...) CASE(n); GO_U; insn; GO_UP
#define S_OK(n, insn...) CASE(n); GO_S; insn; GO_UP

BH_BEGIN
    /* ecall from U: cause 8 */
    CASE(2)
    GO_U
    TRAP_M(2, CAUSE_ECALL_U, ecall)
    EXPECT_FROM_MODE(0)

    U_ILLEGAL(3,  csrr x13, sstatus)
    U_ILLEGAL(4,  csrw sscratch, x11)
    U_ILLEGAL(5,  csrr x13, stvec)
    U_ILLEGAL(6,  csrr x13, satp)
    U_ILLEGAL(7,  csrr x13, sip)
    U_ILLEGAL(8,  csrr x13, mstatus)
    U_ILLEGAL(9,  csrr x13, mhartid)
    U_ILLEGAL(10, sret)
    U_ILLEGAL(11, mret)
    U_ILLEGAL(12, sfence.vma)
    U_ILLEGAL(13, csrr x13, scounteren)

    /* counters: mcounteren = 0, scounteren = 0 */
    csrw mcounteren, zero
    csrw scounteren, zero
    S_ILLEGAL(14, csrr x13, cycle)
    S_ILLEGAL(15, csrr x13, instret)
    U_ILLEGAL(16, csrr x13, cycle)
    U_ILLEGAL(17, csrr x13, instreth)
    /* mcounteren.CY, IR = 1, scounteren = 0: S reads, U does not */
    li x11, 5
    csrw mcounteren, x11
    S_OK(18, csrr x13, cycle; csrr x13, instret; csrr x13, cycleh)
    U_ILLEGAL(19, csrr x13, cycle)
    U_ILLEGAL(20, csrr x13, instret)
    /* S writes scounteren */
    S_OK(21, csrwi scounteren, 1)
    U_OK(22, csrr x13, cycle; csrr x13, cycleh)
    U_ILLEGAL(23, csrr x13, instret)
    /* scounteren set but mcounteren clear: U still may not */
    csrwi scounteren, 5
    csrwi mcounteren, 1
    U_OK(24, csrr x13, cycle)
    U_ILLEGAL(25, csrr x13, instret)
    S_ILLEGAL(26, csrr x13, instret)
    csrw mcounteren, zero
    csrw scounteren, zero

    /* sret in U with TSR = 0 and 1: illegal either way */
    li x11, MSTATUS_TSR
    csrs mstatus, x11
    U_ILLEGAL(27, sret)
    li x11, MSTATUS_TSR
    csrc mstatus, x11

    /* M-mode never sees these restrictions */
    CASE(28)
    csrr x13, cycle
    csrr x13, sstatus
    csrr x13, satp
BH_END
