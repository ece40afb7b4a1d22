/*
 * U-mode under Sv32: U code runs from a user page; U loads and stores reach user pages only
 * (read-only ones: no stores); supervisor pages (U = 0) give load / store page faults, and a
 * jump into a supervisor page an instruction page fault with epc = tval = the target.
 * ecall from U under paging is cause 8 as usual.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_URW (VM_WIN + 0x1000)
#define VA_URO (VM_WIN + 0x2000)
#define VA_S   (VM_WIN + 0x3000)
#define VA_SX  (VM_WIN + 0x4000)
#define VA_UX  (VM_WIN + 0x5000)
#define VA_UNX (VM_WIN + 0x6000)

BH_BEGIN
    jal ra, vm_init
    VM_MAP(UCODE_VA, bh_upage, PG_RX | PTE_U)
    VM_MAP(VA_URW, page_d, PG_RW | PTE_U)
    VM_MAP(VA_URO, page_d, PG_RO | PTE_U)
    VM_MAP(VA_S, page_d, PG_RW)
    VM_MAP(VA_SX, page_code, PG_RX)
    VM_MAP(VA_UX, page_code, PG_XO | PTE_U)
    VM_MAP(VA_UNX, page_code, PG_RW | PTE_U)
    jal ra, vm_on

    /* ecall from U: the code runs, the trap says U */
    CASE(2)
    RUN_U(bh_u_ecall)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_MEPC_U(bh_u_ecall)
    EXPECT_FROM_MODE(0)

    /* user pages: load, store; read-only: load only */
    CASE(3)
    li x11, VA_URW
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT(x13, 0x01020304)
    CASE(4)
    li x11, VA_URW + 4
    li x12, 0x0a0b0c0d
    RUN_U(bh_u_store)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_MEM(page_d + 4, 0x0a0b0c0d)
    CASE(5)
    li x11, VA_URO + 4
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT(x13, 0x0a0b0c0d)
    CASE(6)
    li x11, VA_URO + 8
    li x12, -1
    RUN_U(bh_u_store)
    EXPECT_MCAUSE(CAUSE_STORE_PAGE)
    EXPECT_MTVAL(VA_URO + 8)
    EXPECT_MEPC_U(bh_u_store)
    EXPECT_MEM(page_d + 8, 0)

    /* supervisor pages: no access from U */
    CASE(7)
    li x11, VA_S
    li x13, 0x5555
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MTVAL(VA_S)
    EXPECT(x13, 0x5555)
    CASE(8)
    li x11, VA_S + 12
    RUN_U(bh_u_store)
    EXPECT_MCAUSE(CAUSE_STORE_PAGE)
    EXPECT_MTVAL(VA_S + 12)
    CASE(9)
    li x11, 0x80000000           /* the identity superpage is supervisor-only */
    RUN_U(bh_u_loadb)
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MTVAL(0x80000000)

    /* jumps from U: into a supervisor page, into a user page without X, into a user X page */
    CASE(10)
    li x11, VA_SX
    RUN_U(bh_u_jump)
    EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_SX)
    EXPECT_MTVAL(VA_SX)
    EXPECT_FROM_MODE(0)
    CASE(11)
    li x11, VA_UNX
    RUN_U(bh_u_jump)
    EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_UNX)
    EXPECT_MTVAL(VA_UNX)
    CASE(12)
    li x11, VA_UX
    li x13, 0
    RUN_U(bh_u_jump)
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT(x13, 0x99)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_UX + 4)
BH_END

    .balign 4096
page_d:
    .word 0x01020304, 0, 0, 0
    .balign 4096

    .text
    .balign 4096
page_code:
    li x13, 0x99
    ecall
    .balign 4096
