/*
 * Page faults delegated to S (medeleg bits 12, 13, 15): taken in S with scause = 12 / 13 / 15,
 * sepc = the faulting instruction (for a fetch: the target), stval = the faulting virtual
 * address; M sees nothing. Faults from U and from S. Undelegated: they go to M (vm_*.S).
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_U   (VM_WIN + 0x1000)    /* user page, RW */
#define VA_RO  (VM_WIN + 0x2000)    /* supervisor, read-only */
#define VA_NX  (VM_WIN + 0x3000)    /* supervisor, RW, no X */
#define VA_BAD (VM_WIN + 0x4000)    /* unmapped */
#define SCAUSE_PF ((1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE))

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_U, page_d, PG_RW | PTE_U)
    VM_MAP(VA_RO, page_d, PG_RO)
    VM_MAP(VA_NX, page_d, PG_RW)
    VM_MAP(UCODE_VA, bh_upage, PG_RX | PTE_U)
    jal ra, vm_on
    li x11, SCAUSE_PF
    csrw medeleg, x11
    EXPECT_CSR_BITS(medeleg, SCAUSE_PF, SCAUSE_PF)

    /* from S: load, store, fetch */
    CASE(2)
    GO_S
    li x11, VA_BAD
    TRAP_S_TVAL(2, CAUSE_LOAD_PAGE, VA_BAD + 8, lw x13, 8(x11))
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP, MSTATUS_SPP)
    li x11, VA_RO
    TRAP_S_TVAL(3, CAUSE_STORE_PAGE, VA_RO + 4, sw x13, 4(x11))
    li x11, VA_U                /* SUM = 0 */
    TRAP_S_TVAL(4, CAUSE_LOAD_PAGE, VA_U, lbu x13, 0(x11))
    CASE(5)
    li x11, VA_NX
    ARM_S(11f)
    jalr ra, 0(x11)
    FAIL_NOW
11: EXPECT_SCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_srec, BH_REC_EPC, VA_NX)
    EXPECT_STVAL(VA_NX)

    /* from U, through S's sret into the U snippets */
    CASE(6)
    ARM_S(12f)
    li x11, VA_RO               /* not a user page */
    RUN_U_FROM_S(bh_u_load)
12: EXPECT_SCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_STVAL(VA_RO)
    EXPECT_REC_BITS(bh_srec, BH_REC_STATUS, MSTATUS_SPP, 0)
    CASE(7)
    ARM_S(13f)
    li x11, VA_RO + 0x10
    RUN_U_FROM_S(bh_u_store)
13: EXPECT_SCAUSE(CAUSE_STORE_PAGE)
    EXPECT_STVAL(VA_RO + 0x10)
    CASE(8)
    ARM_S(14f)
    li x11, VA_U + 0x20         /* a user page, no X */
    RUN_U_FROM_S(bh_u_jump)
14: EXPECT_SCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_srec, BH_REC_EPC, VA_U + 0x20)
    EXPECT_STVAL(VA_U + 0x20)
    /* and a U access that works, ending in an ecall (not delegated: to M) */
    CASE(9)
    li x11, VA_U
    ARM_M(15f)
    RUN_U_FROM_S(bh_u_load)
15: EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT(x13, 0x0000d00d)

    /* M took one trap: that ecall */
    CASE(10)
    EXPECT_REC(bh_mrec, BH_REC_COUNT, 1)
    csrw medeleg, zero
BH_END

    .balign 4096
page_d: .word 0x0000d00d, 0, 0, 0
