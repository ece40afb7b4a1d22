/*
 * Sv32 basics (privileged spec 4.3): satp = MODE (bit 31) | root PPN turns translation on for
 * S and U; M stays untranslated. Window pages map onto data pages; two virtual pages may
 * alias one physical page; offsets pass through. Faults: no valid root entry, V = 0, the
 * reserved W-without-R combination, and a pointer PTE at level 0 all raise page faults
 * (load 13, store 15) with tval = the virtual address. A valid mapping to a physical address
 * with nothing there raises an access fault (5 / 7) instead. PTE bits 9:8 (RSW) are ignored.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_A  (VM_WIN + 0x1000)
#define VA_A2 (VM_WIN + 0x2000)
#define VA_V0 (VM_WIN + 0x3000)
#define VA_WO (VM_WIN + 0x4000)
#define VA_PTR (VM_WIN + 0x5000)
#define VA_HOLE (VM_WIN + 0x6000)
#define VA_RSW (VM_WIN + 0x7000)
#define VA_NONE 0x50000000

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_A, page_a, PG_RW)
    VM_MAP(VA_A2, page_a, PG_RW)
    VM_MAP(VA_V0, page_a, PG_RW & ~PTE_V)
    VM_MAP(VA_WO, page_a, PTE_V | PTE_W | PTE_A | PTE_D)
    VM_MAP(VA_PTR, page_a, PTE_V)
    VM_MAP_PA(VA_HOLE, 0x00001000, PG_RW)
    VM_MAP(VA_RSW, page_a, PG_RW | PTE_RSW)
    jal ra, vm_on

    /* satp reads back (MODE and PPN; ASID bits may be fixed) */
    CASE(2)
    csrr x13, satp
    LA_ABS(x12, bh_vm_root)
    srli x12, x12, 12
    li x11, SATP_SV32
    or x12, x12, x11
    li x11, 0x803fffff
    and x13, x13, x11
    EXPECT_REG(x13, x12)

    /* loads and stores through a window page */
    S_OK(3, li x11, VA_A; lw x13, 0(x11))
    EXPECT(x13, 0x11111111)
    S_OK(4, li x11, VA_A + 2048; lw x13, 2044(x11))
    EXPECT(x13, 0x1111ffff)
    S_OK(5, li x11, VA_A; li x12, 0xabcd0123; sw x12, 8(x11))
    EXPECT_MEM(page_a+8, 0xabcd0123)       /* M reads the physical page */
    /* an alias sees the same memory */
    S_OK(6, li x11, VA_A2; lw x13, 8(x11); li x12, 0x55; sb x12, 9(x11); li x11, VA_A; lw x14, 8(x11))
    EXPECT(x13, 0xabcd0123)
    EXPECT(x14, 0xabcd5523)
    /* RSW bits ignored */
    S_OK(7, li x11, VA_RSW; lw x13, 0(x11))
    EXPECT(x13, 0x11111111)

    /* page faults */
    S_FAULT(8,  CAUSE_LOAD_PAGE,  VA_NONE, VA_NONE, lw x13, 0(x11))
    S_FAULT(9,  CAUSE_STORE_PAGE, VA_NONE + 0x10, VA_NONE, sw x13, 0x10(x11))
    S_FAULT(10, CAUSE_LOAD_PAGE,  VA_V0 + 4, VA_V0, lw x13, 4(x11))
    S_FAULT(11, CAUSE_STORE_PAGE, VA_V0, VA_V0, sb x13, 0(x11))
    S_FAULT(12, CAUSE_LOAD_PAGE,  VA_WO, VA_WO, lw x13, 0(x11))
    S_FAULT(13, CAUSE_STORE_PAGE, VA_WO, VA_WO, sw x13, 0(x11))
    S_FAULT(14, CAUSE_LOAD_PAGE,  VA_PTR + 0x123, VA_PTR + 0x123, lbu x13, 0(x11))
    /* the faulting load did not write rd */
    CASE(15)
    li x13, 0x5555
    GO_S
    li x11, VA_V0
    TRAP_M(15, CAUSE_LOAD_PAGE, lw x13, 0(x11))
    EXPECT(x13, 0x5555)

    /* a valid mapping to nothing: access faults, not page faults */
    CASE(16)
    GO_S
    li x11, VA_HOLE
    TRAP_M(16, CAUSE_LOAD_ACCESS, lw x13, 0(x11))
    CASE(17)
    GO_S
    li x11, VA_HOLE
    TRAP_M(17, CAUSE_STORE_ACCESS, sw x13, 0(x11))

    /* M-mode is not translated: the window is not memory for it */
    CASE(18)
    li x11, VA_A
    TRAP_M(18, CAUSE_LOAD_ACCESS, lw x13, 0(x11))
    CASE(19)
    la x11, page_a
    lw x13, 0(x11)
    EXPECT(x13, 0x11111111)

    /* translation off again: S addresses are physical */
    jal ra, vm_off
    S_OK(20, la x11, page_a; lw x13, 0(x11))
    EXPECT(x13, 0x11111111)
    CASE(21)
    GO_S
    li x11, VA_A
    TRAP_M(21, CAUSE_LOAD_ACCESS, lw x13, 0(x11))
BH_END

    .balign 4096
page_a:
    .word 0x11111111
    .word 0x22222222
    .word 0
    .fill 1020, 4, 0x33333333
    .word 0x1111ffff
