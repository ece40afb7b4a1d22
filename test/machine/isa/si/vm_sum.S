/*
 * sstatus.SUM (privileged spec 4.1.1.2): S-mode loads and stores to user pages (U = 1) fault
 * unless SUM = 1 (load page fault 13, store page fault 15, tval = the address). S-mode never
 * executes from a user page, SUM or not (instruction page fault 12, epc = tval = the target).
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_U   (VM_WIN + 0x1000)    /* user data page, RW */
#define VA_UX  (VM_WIN + 0x2000)    /* user code page, RX */
#define VA_S   (VM_WIN + 0x3000)    /* supervisor data page: fine either way */

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_U, page_u, PG_RW | PTE_U)
    VM_MAP(VA_UX, page_code, PG_RX | PTE_U)
    VM_MAP(VA_S, page_u, PG_RW)
    jal ra, vm_on

    /* SUM = 0: faults */
    li x11, MSTATUS_SUM
    csrc mstatus, x11
    S_FAULT(2, CAUSE_LOAD_PAGE,  VA_U + 4, VA_U, lw x13, 4(x11))
    S_FAULT(3, CAUSE_STORE_PAGE, VA_U + 8, VA_U, sw x13, 8(x11))
    S_FAULT(4, CAUSE_LOAD_PAGE,  VA_U + 1, VA_U, lbu x13, 1(x11))
    S_FAULT(5, CAUSE_LOAD_PAGE,  VA_UX, VA_UX, lw x13, 0(x11))
    /* a supervisor page is fine */
    S_OK(6, li x11, VA_S; lw x13, 0(x11))
    EXPECT(x13, 0xaaaa5555)
    CASE(7)
    EXPECT_MEM(page_u + 8, 0x12345678)      /* the faulting store wrote nothing */

    /* SUM = 1 (set in M): loads and stores succeed */
    li x11, MSTATUS_SUM
    csrs mstatus, x11
    S_OK(8, li x11, VA_U; lw x13, 4(x11))
    EXPECT(x13, 0x0badf00d)
    S_OK(9, li x11, VA_U; li x12, 0x600d600d; sw x12, 8(x11))
    EXPECT_MEM(page_u + 8, 0x600d600d)
    S_OK(10, li x11, VA_UX; lw x13, 0(x11))      /* a user RX page is readable with SUM */
    CASE(11)
    LA_ABS(x12, page_code)
    lw x12, 0(x12)
    EXPECT_REG(x13, x12)

    /* S never executes a user page, even with SUM = 1 */
    CASE(12)
    GO_S
    li x11, VA_UX
    ARM_M(11f)
    jalr ra, 0(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_FETCH_PAGE)
    EXPECT_REC(bh_mrec, BH_REC_EPC, VA_UX)
    EXPECT_MTVAL(VA_UX)
    EXPECT_FROM_MODE(1)

    /* SUM changed by S itself through sstatus, without sfence.vma: takes effect at once,
       both ways (a translation used before must not keep its old permission) */
    CASE(13)
    li x11, MSTATUS_SUM
    csrc mstatus, x11
    GO_S
    li x11, VA_U
    TRAP_M(13, CAUSE_LOAD_PAGE, lw x13, 0(x11))
    CASE(14)
    GO_S
    li x12, MSTATUS_SUM
    csrs sstatus, x12
    li x11, VA_U
    lw x13, 0(x11)
    GO_UP
    EXPECT(x13, 0xaaaa5555)
    CASE(15)
    GO_S
    li x12, MSTATUS_SUM
    csrc sstatus, x12
    li x11, VA_U
    TRAP_M(15, CAUSE_LOAD_PAGE, lw x13, 0(x11))
BH_END

    .balign 4096
page_u:
    .word 0xaaaa5555, 0x0badf00d, 0x12345678
    .balign 4096

    .text
    .balign 4096
page_code:
    li x13, 0x77
    ecall
    .balign 4096
