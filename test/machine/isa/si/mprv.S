/*
 * mstatus.MPRV (privileged spec 3.1.6.3): with MPRV = 1, M-mode loads and stores are
 * translated and checked as if the mode were MPP; fetches are not affected. MPP = M makes
 * MPRV a no-op. Faults of such accesses are taken in M (never delegated: the trap comes from M).
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA_S (VM_WIN + 0x1000)      /* supervisor page */
#define VA_U (VM_WIN + 0x2000)      /* user page */
#define MPRV_AS(mppbits) \
    li x30, MSTATUS_MPP | MSTATUS_SUM; csrc mstatus, x30; li x30, MSTATUS_MPRV | (mppbits); csrs mstatus, x30
#define MPRV_OFF li x30, MSTATUS_MPRV | MSTATUS_MPP; csrc mstatus, x30

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA_S, page_s, PG_RW)
    VM_MAP(VA_U, page_u, PG_RW | PTE_U)
    jal ra, vm_on

    /* as S: a supervisor page through its virtual address; the store lands in the page */
    CASE(2)
    li x11, VA_S
    li x12, 0x5151
    MPRV_AS(MSTATUS_MPP_S)
    lw x13, 0(x11)
    sw x12, 4(x11)
    MPRV_OFF
    EXPECT(x13, 0x5eed0005)
    EXPECT_MEM(page_s + 4, 0x5151)

    /* as S without SUM: a user page faults, in M */
    CASE(3)
    li x11, VA_U
    ARM_M(11f)
    MPRV_AS(MSTATUS_MPP_S)
10: lw x13, 0(x11)
    MPRV_OFF
    FAIL_NOW
11: MPRV_OFF
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MEPC(10b)
    EXPECT_MTVAL(VA_U)
    EXPECT_FROM_MODE(3)

    /* as U: the user page works, the supervisor page faults (store) */
    CASE(4)
    li x11, VA_U
    MPRV_AS(0)
    lw x13, 0(x11)
    MPRV_OFF
    EXPECT(x13, 0x5eed000a)
    CASE(5)
    li x11, VA_S
    ARM_M(13f)
    MPRV_AS(0)
12: sw x12, 0(x11)
    MPRV_OFF
    FAIL_NOW
13: MPRV_OFF
    EXPECT_MCAUSE(CAUSE_STORE_PAGE)
    EXPECT_MEPC(12b)
    EXPECT_MTVAL(VA_S)

    /* faults of M's accesses are not delegated */
    CASE(6)
    li x11, 1 << CAUSE_LOAD_PAGE
    csrw medeleg, x11
    li x11, VA_S + 8
    ARM_M(15f)
    MPRV_AS(0)
14: lw x13, 0(x11)
    MPRV_OFF
    FAIL_NOW
15: MPRV_OFF
    csrw medeleg, zero
    EXPECT_MCAUSE(CAUSE_LOAD_PAGE)
    EXPECT_MTVAL(VA_S + 8)
    EXPECT_REC(bh_srec, BH_REC_COUNT, 0)

    /* MPP = M: no translation (the window is not memory: access fault) */
    CASE(7)
    li x11, VA_S
    ARM_M(17f)
    MPRV_AS(MSTATUS_MPP_M)
16: lw x13, 0(x11)
    MPRV_OFF
    FAIL_NOW
17: MPRV_OFF
    EXPECT_MCAUSE(CAUSE_LOAD_ACCESS)
    CASE(8)
    LA_ABS(x11, page_s)
    MPRV_AS(MSTATUS_MPP_M)
    lw x13, 0(x11)
    MPRV_OFF
    EXPECT(x13, 0x5eed0005)
BH_END

    .balign 4096
page_s: .word 0x5eed0005, 0, 0
    .balign 4096
page_u: .word 0x5eed000a
