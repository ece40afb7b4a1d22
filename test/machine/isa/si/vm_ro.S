/*
 * Write protection: a store to a page without W raises a store page fault (15) with
 * tval = the virtual address, for every store width, and changes nothing; loads from the page
 * work. The same physical page writable through another mapping shows that only the PTE
 * matters. Faulting stores that also cross nothing else: the bytes next to them are intact.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_RO (VM_WIN + 0x1000)
#define VA_RW (VM_WIN + 0x2000)
#define VA_RX (VM_WIN + 0x3000)

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_RO, page_d, PG_RO)
    VM_MAP(VA_RW, page_d, PG_RW)
    VM_MAP(VA_RX, page_d, PG_RX)
    jal ra, vm_on

    S_OK(2, li x11, VA_RO; lw x13, 0(x11); lbu x14, 5(x11))
    EXPECT(x13, 0x11223344)
    EXPECT(x14, 0x77)
    S_FAULT(3, CAUSE_STORE_PAGE, VA_RO, VA_RO, sw x13, 0(x11))
    S_FAULT(4, CAUSE_STORE_PAGE, VA_RO + 6, VA_RO, sh x13, 6(x11))
    S_FAULT(5, CAUSE_STORE_PAGE, VA_RO + 0xfff, VA_RO + 0x800, sb x13, 0x7ff(x11))
    S_FAULT(6, CAUSE_STORE_PAGE, VA_RX + 4, VA_RX, sw x13, 4(x11))
    CASE(7)
    EXPECT_MEM(page_d, 0x11223344)
    EXPECT_MEM(page_d + 4, 0x55667788)
    EXPECT_MEM(page_d + 0xffc, 0xcafef00d)

    /* the same page through a writable mapping */
    S_OK(8, li x11, VA_RW; li x12, 0x99aabbcc; sw x12, 0(x11))
    EXPECT_MEM(page_d, 0x99aabbcc)
    /* and the read-only mapping sees the new value, still refuses stores */
    S_OK(9, li x11, VA_RO; lw x13, 0(x11))
    EXPECT(x13, 0x99aabbcc)
    S_FAULT(10, CAUSE_STORE_PAGE, VA_RO + 12, VA_RO, sw x0, 12(x11))
    /* a misaligned store to a read-only page: either fault is allowed, but the store must not happen */
    CASE(11)
    GO_S
    li x11, VA_RO
    ARM_M(10f)
    sw x13, 1(x11)
    FAIL_NOW
10: EXPECT_MEM(page_d, 0x99aabbcc)
    EXPECT_MEM(page_d + 4, 0x55667788)
BH_END

    .balign 4096
page_d:
    .word 0x11223344, 0x55667788
    .fill 1021, 4, 0
    .word 0xcafef00d
