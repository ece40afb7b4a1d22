/*
 * mstatus.TVM (trap virtual memory, privileged spec 3.1.6.5): with TVM = 1, reading or writing
 * satp and executing sfence.vma in S-mode are illegal (to M, mtval = the instruction). With
 * TVM = 0 they are allowed. M-mode is not affected.
 */
#include "bh_env.h"
#include "bh_test.h"

#define S_ILLEGAL(n, insn...) CASE(n); GO_S; ILLEGAL_M(n, insn); EXPECT_FROM_MODE(1)

BH_BEGIN
    li x11, MSTATUS_TVM
    csrs mstatus, x11
    li x12, 0
    S_ILLEGAL(2, csrr x13, satp)
    S_ILLEGAL(3, csrw satp, x12)
    S_ILLEGAL(4, csrrs x13, satp, x0)
    S_ILLEGAL(5, csrrwi x13, satp, 0)
    S_ILLEGAL(6, sfence.vma)
    S_ILLEGAL(7, sfence.vma x12, x0)

    /* M is not affected */
    CASE(8)
    csrr x13, satp
    csrw satp, zero
    sfence.vma

    /* TVM = 0: allowed in S */
    CASE(9)
    li x11, MSTATUS_TVM
    csrc mstatus, x11
    GO_S
    csrr x13, satp
    csrw satp, zero
    sfence.vma
    GO_UP
    EXPECT(x13, 0)
BH_END
