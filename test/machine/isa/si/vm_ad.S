/*
 * Accessed and dirty bits. The spec (4.3.2 step 7) lets an implementation either update A/D
 * in hardware or raise a page fault; this machine never sets them (Svade): any access through
 * a PTE with A = 0, and any store through one with D = 0, raises the page fault of the access
 * type (load 13, store 15, fetch 12), and the PTE stays unchanged. Once software sets the bit
 * (and runs sfence.vma), the access succeeds.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_NOA  (VM_WIN + 0x1000)   /* RW, A = 0, D = 0 */
#define VA_NOD  (VM_WIN + 0x2000)   /* RW, A = 1, D = 0 */
#define VA_XNOA (VM_WIN + 0x3000)   /* RX code, A = 0 */
#define VA_UNOA (VM_WIN + 0x4000)   /* user RW, A = 0 (for U) */

/* the PTE value vm_map wrote for va, page and flags */
#define PTE_OF(page, flags) LA_ABS(x12, page); srli x12, x12, 2; ori x12, x12, flags

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_NOA, page_d, PTE_V | PTE_R | PTE_W)
    VM_MAP(VA_NOD, page_d, PTE_V | PTE_R | PTE_W | PTE_A)
    VM_MAP(VA_XNOA, page_code, PTE_V | PTE_R | PTE_X)
    VM_MAP(VA_UNOA, page_d, PTE_V | PTE_R | PTE_W | PTE_U)
    VM_MAP(UCODE_VA, bh_upage, PG_RX | PTE_U)
    jal ra, vm_on

    /* A = 0: load, store and fetch all fault */
    S_FAULT(2, CAUSE_LOAD_PAGE,  VA_NOA + 4, VA_NOA, lw x13, 4(x11))
    S_FAULT(3, CAUSE_STORE_PAGE, VA_NOA + 8, VA_NOA, sw x13, 8(x11))
    CASE(4)
    GO_S
    li x11, VA_XNOA
    ARM_M(10f)
    jalr ra, 0(x11)
    FAIL_NOW
10: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_XNOA)
    EXPECT_MTVAL(VA_XNOA)
    /* from U too */
    CASE(5)
    li x11, VA_UNOA
    RUN_U(bh_u_load)
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MTVAL(VA_UNOA)

    /* A = 1, D = 0: loads fine, stores fault */
    S_OK(6, li x11, VA_NOD; lw x13, 0(x11))
    EXPECT(x13, 0xd1d1d1d1)
    S_FAULT(7, CAUSE_STORE_PAGE, VA_NOD, VA_NOD, sw x13, 0(x11))
    S_FAULT(8, CAUSE_STORE_PAGE, VA_NOD + 3, VA_NOD, sb x13, 3(x11))
    CASE(9)
    EXPECT_MEM(page_d, 0xd1d1d1d1)

    /* the hardware left every PTE as it was */
    CASE(10)
    PTE_OF(page_d, PTE_V | PTE_R | PTE_W)
    VM_PTE(x11, VA_NOA)
    lw x13, 0(x11)
    EXPECT_REG(x13, x12)
    CASE(11)
    PTE_OF(page_d, PTE_V | PTE_R | PTE_W | PTE_A)
    VM_PTE(x11, VA_NOD)
    lw x13, 0(x11)
    EXPECT_REG(x13, x12)
    CASE(12)
    PTE_OF(page_code, PTE_V | PTE_R | PTE_X)
    VM_PTE(x11, VA_XNOA)
    lw x13, 0(x11)
    EXPECT_REG(x13, x12)

    /* software sets A (and D), fences: the accesses go through */
    CASE(13)
    VM_PTE(x11, VA_NOA)
    lw x12, 0(x11)
    ori x12, x12, PTE_A
    sw x12, 0(x11)
    VM_PTE(x11, VA_XNOA)
    lw x12, 0(x11)
    ori x12, x12, PTE_A
    sw x12, 0(x11)
    sfence.vma
    S_OK(14, li x11, VA_NOA; lw x13, 4(x11))
    EXPECT(x13, 0xd2d2d2d2)
    S_FAULT(15, CAUSE_STORE_PAGE, VA_NOA + 4, VA_NOA, sw x13, 4(x11))   /* D still 0 */
    S_OK(16, li x13, 0; li x11, VA_XNOA; jalr ra, 0(x11))
    EXPECT(x13, 0xad)
    CASE(17)
    VM_PTE(x11, VA_NOD)
    lw x12, 0(x11)
    ori x12, x12, PTE_D
    sw x12, 0(x11)
    sfence.vma
    S_OK(18, li x11, VA_NOD; li x12, 0x0d0d0d0d; sw x12, 12(x11))
    EXPECT_MEM(page_d + 12, 0x0d0d0d0d)

    /* a superpage with A = 0 faults as well */
    VM_ROOT_SET(0x40400000, ((0x80000000 >> 12) << 10) | PTE_V | PTE_R | PTE_W)
    sfence.vma
    S_FAULT(19, CAUSE_LOAD_PAGE, 0x40400000, 0x40400000, lw x13, 0(x11))
BH_END

    .balign 4096
page_d:
    .word 0xd1d1d1d1, 0xd2d2d2d2, 0, 0

    .text
    .balign 4096
page_code:
    li x13, 0xad
    ret
    .balign 4096
