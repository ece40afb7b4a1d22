/*
 * Sv32 superpages (privileged spec 4.3.2, step 4 and 6): a leaf PTE in the root table maps
 * 4 MiB; virtual address bits 21:0 pass through (VPN[0] and the offset). Loads, stores and
 * fetches work through it. A leaf at level 1 whose PPN[0] is not zero is a misaligned
 * superpage: every access through it raises a page fault.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_SUP  0x40400000      /* -> physical 0x80000000, 4 MiB, RWX */
#define VA_MIS  0x40800000      /* misaligned: PPN = 0x80001 */
#define VA_SUPR 0x40c00000      /* -> physical 0x80000000, read-only */
#define ALIAS(reg, label, va) LA_ABS(reg, label); li x30, 0x80000000 - (va); sub reg, reg, x30

BH_BEGIN
    jal ra, vm_init
    VM_ROOT_SET(VA_SUP,  ((0x80000000 >> 12) << 10) | PG_RWX)
    VM_ROOT_SET(VA_MIS,  ((0x80001000 >> 12) << 10) | PG_RWX)
    VM_ROOT_SET(VA_SUPR, ((0x80000000 >> 12) << 10) | PG_RO)
    jal ra, vm_on

    /* loads through the superpage, at data whose offset has VPN[0] bits set */
    CASE(2)
    GO_S
    ALIAS(x11, sp_data, VA_SUP)
    lw x13, 0(x11)
    lw x14, 4(x11)
    GO_UP
    EXPECT(x13, 0x5ca1ab1e)
    EXPECT(x14, 0xfeedface)
    /* a store through it lands in physical memory */
    CASE(3)
    GO_S
    ALIAS(x11, sp_data, VA_SUP)
    li x12, 0x13572468
    sw x12, 8(x11)
    GO_UP
    EXPECT_MEM(sp_data + 8, 0x13572468)
    /* code runs through it */
    CASE(4)
    GO_S
    li x13, 0
    ALIAS(x11, sp_func, VA_SUP)
    jalr ra, 0(x11)
    GO_UP
    EXPECT(x13, 0x321)

    /* read-only superpage: loads yes, stores no */
    CASE(5)
    GO_S
    ALIAS(x11, sp_data, VA_SUPR)
    lw x13, 0(x11)
    GO_UP
    EXPECT(x13, 0x5ca1ab1e)
    CASE(6)
    GO_S
    ALIAS(x11, sp_data, VA_SUPR)
    mv x12, x11
    TRAP_M(6, CAUSE_STORE_PAGE, sw x13, 0(x11))
    EXPECT_REC_REG(bh_mrec, BH_REC_TVAL, x12)

    /* misaligned superpage: loads, stores, fetches all fault */
    S_FAULT(7, CAUSE_LOAD_PAGE,  VA_MIS, VA_MIS, lw x13, 0(x11))
    S_FAULT(8, CAUSE_LOAD_PAGE,  VA_MIS + 0x2345c, VA_MIS + 0x23000, lw x13, 0x45c(x11))
    S_FAULT(9, CAUSE_STORE_PAGE, VA_MIS + 0x10, VA_MIS, sw x13, 0x10(x11))
    CASE(10)
    GO_S
    li x11, VA_MIS + 0x4000
    ARM_M(10f)
    jalr ra, 0(x11)
    FAIL_NOW
10: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_MTVAL(VA_MIS + 0x4000)
BH_END

    .balign 4096
    .skip 0x123 * 4             /* sp_data at a page offset with bits set, past page 0 */
sp_data:
    .word 0x5ca1ab1e, 0xfeedface, 0

    .text
sp_func:
    li x13, 0x321
    ret
