/*
 * Instruction fetch across pages right after something that flushes address-translation
 * caches (sfence.vma, a satp write, an mstatus write, a trap that changes the privilege mode),
 * when the very next instruction jumps to another page: the fetch must come from that page.
 * Pages here are paired, 8 KiB aligned: the jump always goes to the page whose number differs
 * in its lowest bit, where a fetch-page cache that is not properly invalidated shows up as
 * instructions fetched from the wrong page.
 */
#include "bh_env.h"
#include "bh_test.h"

#define CALL_BACK(n, fn) CASE(n); li x13, 0; jal ra, fn; li x13, 1; addi x13, x13, 1; EXPECT(x13, 2)

BH_BEGIN
    j 10f
    .balign 8192                /* the caller's page: P (even page number) */
10: CALL_BACK(2, fn_sfence)
    CALL_BACK(3, fn_satp)
    CALL_BACK(4, fn_mstatus)
    CALL_BACK(5, fn_sfence)
    /* the other way: a jump into the next page right after the flush */
    CASE(6)
    li x13, 0
    sfence.vma
    jal ra, fn_plain
    EXPECT(x13, 5)
    CASE(7)
    li x13, 0
    csrw satp, zero
    jal ra, fn_plain
    EXPECT(x13, 5)
    /* a trap from U (a mode change) into a vector whose first instruction jumps to the next page */
    CASE(8)
    la x11, fp_vec
    csrw mtvec, x11
    ARM_M(11f)
    GO_U
    ecall
    FAIL_NOW
11: la x11, bh_mtrap
    csrw mtvec, x11
    EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_FROM_MODE(0)
BH_END

    .text
    .balign 4096                /* P + 1 */
fn_sfence:
    sfence.vma
    ret
fn_satp:
    csrw satp, zero
    ret
fn_mstatus:
    csrr x14, mstatus
    csrw mstatus, x14
    ret
fn_plain:
    li x13, 5
    ret

    .balign 8192                /* Q (even): the trap vector */
fp_vec:
    j fp_vec_cont
    .balign 4096                /* Q + 1 */
fp_vec_cont:
    j bh_mtrap
