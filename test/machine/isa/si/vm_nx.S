/*
 * Execute permission: fetching from a page without X raises an instruction page fault (12)
 * with epc = tval = the address fetched; the jump itself completed (link written). Fetching
 * from an invalid page faults the same way. Execution from an X page works, including a
 * page that is X but not R (execute-only), and the first instruction of a page reached by
 * falling through from the page before it is checked too.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_RW  (VM_WIN + 0x1000)    /* the code page mapped without X */
#define VA_RX  (VM_WIN + 0x2000)    /* the code page mapped RX */
#define VA_XO  (VM_WIN + 0x3000)    /* the code page mapped execute-only */
#define VA_BAD (VM_WIN + 0x4000)    /* not mapped */
#define VA_F1  (VM_WIN + 0x5000)    /* fall-through: page 1 executable */
#define VA_F2  (VM_WIN + 0x6000)    /* fall-through: page 2 not executable */

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_RW, page_code, PG_RW)
    VM_MAP(VA_RX, page_code, PG_RX)
    VM_MAP(VA_XO, page_code, PG_XO)
    VM_MAP(VA_F1, page_fall, PG_RX)
    VM_MAP(VA_F2, page_fall + 4096, PG_RW)
    jal ra, vm_on

    /* X pages run */
    S_OK(2, li x13, 0; li x11, VA_RX; jalr ra, 0(x11))
    EXPECT(x13, 0x42)
    S_OK(3, li x13, 0; li x11, VA_XO; jalr ra, 0(x11))
    EXPECT(x13, 0x42)

    /* a page without X */
    CASE(4)
    GO_S
    li x11, VA_RW
    li ra, 0
    ARM_M(11f)
10: jalr ra, 0(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_RW)
    EXPECT_MTVAL(VA_RW)
    EXPECT_FROM_MODE(1)
    EXPECT_LA(ra, 10b+4)

    /* an unmapped page */
    CASE(5)
    GO_S
    li x11, VA_BAD + 0x10
    ARM_M(12f)
    jalr ra, 0(x11)
    FAIL_NOW
12: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_BAD + 0x10)
    EXPECT_MTVAL(VA_BAD + 0x10)

    /* falling through from an X page into a non-X page: the fault is at the page boundary,
       after the last instruction of the first page ran */
    CASE(6)
    GO_S
    li x13, 0
    li x11, VA_F2 - 8
    ARM_M(13f)
    jalr ra, 0(x11)
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_F2)
    EXPECT_MTVAL(VA_F2)
    EXPECT(x13, 2)
BH_END

    .text
    .balign 4096
page_code:
    li x13, 0x42
    ret
    .balign 4096
page_fall:
    .skip 4096 - 8
    addi x13, x13, 1
    addi x13, x13, 1
    /* next page */
    addi x13, x13, 1
    ret
    .balign 4096
