/*
 * sstatus.MXR (make executable readable, privileged spec 4.1.1.2): with MXR = 0 only pages with
 * R = 1 are readable; with MXR = 1, loads from execute-only pages (X = 1, R = 0) succeed too.
 * Stores to such pages still fault, and they stay executable. MXR applies to U-mode as well,
 * and combines with SUM for S-mode loads from user execute-only pages.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_XO  (VM_WIN + 0x1000)    /* supervisor execute-only: page_code */
#define VA_UXO (VM_WIN + 0x2000)    /* user execute-only: page_code */

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_XO, page_code, PG_XO)
    VM_MAP(VA_UXO, page_code, PG_XO | PTE_U)
    VM_MAP(UCODE_VA, bh_upage, PG_RX | PTE_U)
    jal ra, vm_on
    li x11, MSTATUS_MXR | MSTATUS_SUM
    csrc mstatus, x11

    /* MXR = 0: an execute-only page cannot be read, can be executed */
    S_FAULT(2, CAUSE_LOAD_PAGE, VA_XO, VA_XO, lw x13, 0(x11))
    S_OK(3, li x11, VA_XO; li x13, 0; jalr ra, 0(x11))
    EXPECT(x13, 0x77)

    /* MXR = 1: it can be read (the instruction word), still not written */
    li x11, MSTATUS_MXR
    csrs mstatus, x11
    S_OK(4, li x11, VA_XO; lw x13, 0(x11))
    CASE(5)
    LA_ABS(x12, page_code)
    lw x12, 0(x12)
    EXPECT_REG(x13, x12)
    S_FAULT(6, CAUSE_STORE_PAGE, VA_XO + 4, VA_XO, sw x13, 4(x11))
    S_OK(7, li x11, VA_XO; li x13, 0; jalr ra, 0(x11))
    EXPECT(x13, 0x77)

    /* a user execute-only page from S: MXR alone is not enough (SUM), both are */
    S_FAULT(8, CAUSE_LOAD_PAGE, VA_UXO, VA_UXO, lw x13, 0(x11))
    li x11, MSTATUS_SUM
    csrs mstatus, x11
    S_OK(9, li x11, VA_UXO; lw x13, 0(x11))
    EXPECT_REG(x13, x12)

    /* U-mode loads from a user execute-only page: fault without MXR, fine with it */
    CASE(10)
    li x11, VA_UXO
    li x13, 0
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_REG(x13, x12)
    CASE(11)
    li x11, MSTATUS_MXR
    csrc mstatus, x11
    li x11, VA_UXO
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MTVAL(VA_UXO)
    EXPECT_FROM_MODE(0)
    /* MXR set from S through sstatus takes effect at once */
    CASE(12)
    GO_S
    li x11, MSTATUS_MXR
    csrs sstatus, x11
    li x11, VA_XO
    lw x13, 0(x11)
    GO_UP
    EXPECT_REG(x13, x12)
    li x11, MSTATUS_MXR | MSTATUS_SUM
    csrc mstatus, x11
BH_END

    .text
    .balign 4096
page_code:
    li x13, 0x77
    ret
    .balign 4096
