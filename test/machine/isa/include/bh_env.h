/*
 * bh_env.h — the bare-metal environment of bulkhead's ISA conformance programs.
 *
 * A program is one .S file:
 *
 *     #include "bh_env.h"
 *     #include "bh_test.h"
 *     BH_BEGIN
 *         ... cases, in M-mode ...
 *     BH_END
 *         ... optional data, in .data ...
 *
 * BH_BEGIN emits the reset code (entry at 0x80000000, M-mode), the trap handlers for M and S,
 * the HTIF `tohost`/`fromhost` words in section .tohost, and then opens .text at `bh_main`.
 * BH_END writes 1 to tohost (pass) and spins. A failure writes (testnum << 1) | 1, where testnum
 * is the number of the current case, held in gp (x3) by the case macros.
 *
 * Register conventions of the macros: gp = case number, x30/x31 = scratch (got / want of the
 * last check), a6/a7 = clobbered only on the way to a failure. Cases must not use gp, x30, x31.
 *
 * Traps. Both handlers (bh_mtrap for M, bh_strap for S) record cause, epc, tval and status of
 * every trap in a record (bh_mrec / bh_srec, offsets BH_REC_*), count it, and then:
 *   1. an ecall with a7 = BH_SYS_FAIL is a failure report: the program stops, FAIL(gp);
 *   2. if the record's resume slot is armed (ARM_M / ARM_S in bh_test.h), the slot is cleared
 *      and the handler returns to the armed label in its own mode (MPP := M / SPP := S), with
 *      the previous-interrupt-enable bit cleared, so that mode then runs with interrupts off;
 *   3. an ecall from a lower mode with a7 = BH_SYS_UP continues at the next instruction, in the
 *      handler's mode (a way for S or U code to "climb back");
 *   4. anything else is an unexpected trap: the program stops, FAIL(gp), and the console (the
 *      machine's UART, port 0x3F8) gets one line naming the cause, epc and tval.
 * The M handler uses mscratch and the S handler sscratch as scratch: tests of those CSRs must not
 * trap while their values matter.
 */
#ifndef BH_ENV_H
#define BH_ENV_H

/* ---- mstatus / sstatus fields (privileged spec 3.1.6, 4.1.1) ---- */
#define MSTATUS_SIE   0x00000002
#define MSTATUS_MIE   0x00000008
#define MSTATUS_SPIE  0x00000020
#define MSTATUS_MPIE  0x00000080
#define MSTATUS_SPP   0x00000100
#define MSTATUS_MPP   0x00001800
#define MSTATUS_MPP_S 0x00000800
#define MSTATUS_MPP_M 0x00001800
#define MSTATUS_MPRV  0x00020000
#define MSTATUS_SUM   0x00040000
#define MSTATUS_MXR   0x00080000
#define MSTATUS_TVM   0x00100000
#define MSTATUS_TW    0x00200000
#define MSTATUS_TSR   0x00400000

/* ---- interrupt bits of mip / mie (and sip / sie) ---- */
#define MIP_SSIP 0x002
#define MIP_MSIP 0x008
#define MIP_STIP 0x020
#define MIP_MTIP 0x080
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

/* ---- exception causes (privileged spec table 3.6) ---- */
#define CAUSE_FETCH_MISALIGNED 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_LOAD_MISALIGNED  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define CAUSE_IRQ_SSI 0x80000001
#define CAUSE_IRQ_MSI 0x80000003
#define CAUSE_IRQ_STI 0x80000005
#define CAUSE_IRQ_MTI 0x80000007

/* ---- the CLINT (see system/machine/memmap.ts) ---- */
#define CLINT_MSIP         0x02000000
#define CLINT_MTIMECMP_LO  0x02004000
#define CLINT_MTIMECMP_HI  0x02004004
#define CLINT_MTIME_LO     0x0200BFF8
#define CLINT_MTIME_HI     0x0200BFFC

/* ---- the console: a 16550-style UART at port 0x3F8 of the port window ---- */
#define BH_UART_THR 0x030003F8

/* ---- trap records ---- */
#define BH_REC_CAUSE  0
#define BH_REC_EPC    4
#define BH_REC_TVAL   8
#define BH_REC_STATUS 12   /* mstatus / sstatus as it was on trap entry */
#define BH_REC_COUNT  16   /* traps taken by this handler so far */
#define BH_REC_RESUME 20   /* armed resume address, 0 = none */
#define BH_REC_SAVE1  24
#define BH_REC_SAVE2  28
#define BH_REC_SIZE   32

/* ---- ecall services of the handlers (in a7) ---- */
#define BH_SYS_UP    0x6275700   /* continue at the next instruction in the handler's mode */
#define BH_SYS_FAIL  0x6266616   /* stop: FAIL(gp); a6 = 1 means x30/x31 hold got/want */
#define BH_SYS_STRAP 0x6273747   /* (S handler to M) unexpected trap in S: stop, FAIL(gp) */

/* Case number used when a failure happens before the first case. */
#define BH_NO_CASE 0xFFFF

/* ---------------------------------------------------------------------------------------- */

.macro bh_env_code
    .option norvc
    .option norelax
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li x\r, 0
    .endr
    la t0, bh_mtrap
    csrw mtvec, t0
    la t0, bh_strap
    csrw stvec, t0
    csrw mstatus, zero
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrw satp, zero
    csrw mscratch, zero
    csrw sscratch, zero
    li t0, 0
    j bh_main

/* ---- M-mode trap handler ---- */
    .balign 64
    .globl bh_mtrap
bh_mtrap:
    csrw mscratch, t0
    la t0, bh_mrec
    sw t1, BH_REC_SAVE1(t0)
    sw t2, BH_REC_SAVE2(t0)
    csrr t1, mcause
    sw t1, BH_REC_CAUSE(t0)
    csrr t1, mepc
    sw t1, BH_REC_EPC(t0)
    csrr t1, mtval
    sw t1, BH_REC_TVAL(t0)
    csrr t1, mstatus
    sw t1, BH_REC_STATUS(t0)
    lw t1, BH_REC_COUNT(t0)
    addi t1, t1, 1
    sw t1, BH_REC_COUNT(t0)
    /* t1 := 1 if the trap is an ecall (from U, S or M) */
    csrr t2, mcause
    addi t2, t2, -CAUSE_ECALL_U
    sltiu t1, t2, 4
    beqz t1, 2f
    li t2, BH_SYS_FAIL
    beq a7, t2, bh_report_fail
    li t2, BH_SYS_STRAP
    beq a7, t2, bh_report_strap
2:  lw t2, BH_REC_RESUME(t0)
    beqz t2, 3f
    sw zero, BH_REC_RESUME(t0)
    csrw mepc, t2
    j 4f
3:  beqz t1, bh_report_mtrap
    li t2, BH_SYS_UP
    bne a7, t2, bh_report_mtrap
    csrr t2, mepc
    addi t2, t2, 4
    csrw mepc, t2
4:  li t2, MSTATUS_MPP
    csrs mstatus, t2
    li t2, MSTATUS_MPIE
    csrc mstatus, t2
    lw t1, BH_REC_SAVE1(t0)
    lw t2, BH_REC_SAVE2(t0)
    csrr t0, mscratch
    mret

/* ---- S-mode trap handler (reached only through medeleg / mideleg) ---- */
    .balign 64
    .globl bh_strap
bh_strap:
    csrw sscratch, t0
    la t0, bh_srec
    sw t1, BH_REC_SAVE1(t0)
    sw t2, BH_REC_SAVE2(t0)
    csrr t1, scause
    sw t1, BH_REC_CAUSE(t0)
    csrr t1, sepc
    sw t1, BH_REC_EPC(t0)
    csrr t1, stval
    sw t1, BH_REC_TVAL(t0)
    csrr t1, sstatus
    sw t1, BH_REC_STATUS(t0)
    lw t1, BH_REC_COUNT(t0)
    addi t1, t1, 1
    sw t1, BH_REC_COUNT(t0)
    csrr t2, scause
    addi t2, t2, -CAUSE_ECALL_U
    seqz t1, t2
    beqz t1, 2f
    li t2, BH_SYS_FAIL
    beq a7, t2, 5f
2:  lw t2, BH_REC_RESUME(t0)
    beqz t2, 3f
    sw zero, BH_REC_RESUME(t0)
    csrw sepc, t2
    j 4f
3:  beqz t1, 6f
    li t2, BH_SYS_UP
    bne a7, t2, 6f
    csrr t2, sepc
    addi t2, t2, 4
    csrw sepc, t2
4:  li t2, MSTATUS_SPP
    csrs sstatus, t2
    li t2, MSTATUS_SPIE
    csrc sstatus, t2
    lw t1, BH_REC_SAVE1(t0)
    lw t2, BH_REC_SAVE2(t0)
    csrr t0, sscratch
    sret
5:  ecall                       /* pass the failure report on to M (a6, a7 unchanged) */
6:  li a7, BH_SYS_STRAP         /* unexpected trap in S: let M report it */
    ecall
7:  j 7b

/* ---- failure reports (M-mode). Each first disarms both resume slots, so that a trap while
   reporting (say, the UART is missing) cannot resume the program. ---- */
bh_disarm:
    la a0, bh_mrec
    sw zero, BH_REC_RESUME(a0)
    la a0, bh_srec
    sw zero, BH_REC_RESUME(a0)
    ret
bh_report_fail:
    jal ra, bh_disarm
    la s0, bh_msg_fail
    jal ra, bh_puts
    beqz a6, 1f
    la s0, bh_msg_got
    mv s1, x30
    jal ra, bh_putword
    la s0, bh_msg_want
    mv s1, x31
    jal ra, bh_putword
1:  j bh_die
bh_report_mtrap:
    jal ra, bh_disarm
    la s0, bh_msg_mtrap
    la s2, bh_mrec
    j 1f
bh_report_strap:
    jal ra, bh_disarm
    la s0, bh_msg_strap
    la s2, bh_srec
1:  jal ra, bh_puts
    la s0, bh_msg_cause
    lw s1, BH_REC_CAUSE(s2)
    jal ra, bh_putword
    la s0, bh_msg_epc
    lw s1, BH_REC_EPC(s2)
    jal ra, bh_putword
    la s0, bh_msg_tval
    lw s1, BH_REC_TVAL(s2)
    jal ra, bh_putword
    j bh_die

/* bh_die: print the case number, write FAIL(gp) to tohost, spin. A trap while dying (say, the
   UART is missing) comes back here through bh_report_mtrap, which then skips the printing. */
bh_die:
    la s0, bh_msg_case
    jal ra, bh_puts
    mv s1, gp
    jal ra, bh_putdec
    li a0, '\n'
    jal ra, bh_putc
bh_write_fail:
    bnez gp, 1f
    li gp, BH_NO_CASE
1:  slli a0, gp, 1
    ori a0, a0, 1
    la t0, tohost
    sw zero, 4(t0)
    sw a0, 0(t0)
2:  j 2b

/* bh_puts: print the NUL-terminated string at s0 (clobbers a0, a1, s0). Prints nothing when
   called a second time (a trap while printing), and goes straight to bh_write_fail. */
bh_puts:
    la a1, bh_dying
    lw a0, 0(a1)
    addi a0, a0, 1
    sw a0, 0(a1)
    li a1, 2
    bgeu a0, a1, bh_write_fail
1:  lbu a0, 0(s0)
    beqz a0, 2f
    li a1, BH_UART_THR
    sb a0, 0(a1)
    addi s0, s0, 1
    j 1b
2:  la a1, bh_dying
    sw zero, 0(a1)
    ret
/* bh_putword: print the string at s0, then s1 in hex (clobbers a0-a3, s0, s3). */
bh_putword:
    mv s3, ra
    jal ra, bh_puts
    li a2, 28
1:  srl a0, s1, a2
    andi a0, a0, 15
    la a3, bh_hexdigits
    add a3, a3, a0
    lbu a0, 0(a3)
    jal ra, bh_putc
    addi a2, a2, -4
    bgez a2, 1b
    mv ra, s3
    ret
/* bh_putdec: print s1 in decimal (clobbers a0-a3, s3, s4). */
bh_putdec:
    mv s3, ra
    la s4, bh_decbuf + 11
    sb zero, 0(s4)
    li a3, 10
1:  addi s4, s4, -1
    remu a0, s1, a3
    addi a0, a0, '0'
    sb a0, 0(s4)
    divu s1, s1, a3
    bnez s1, 1b
    mv s0, s4
    jal ra, bh_puts
    mv ra, s3
    ret
/* bh_putc: print the character in a0 (clobbers a1). */
bh_putc:
    li a1, BH_UART_THR
    sb a0, 0(a1)
    ret

/* ---- pass: write 1 to tohost (must run with tohost reachable: M-mode, or mapped) ---- */
    .globl bh_pass
bh_pass:
    fence
    li t0, 1
    la t1, tohost
    sw zero, 4(t1)
    sw t0, 0(t1)
1:  j 1b

    .section .rodata.bh, "a", @progbits
bh_hexdigits: .ascii "0123456789abcdef"
bh_msg_fail:  .asciz "bh: FAIL"
bh_msg_got:   .asciz " got=0x"
bh_msg_want:  .asciz " want=0x"
bh_msg_mtrap: .asciz "bh: FAIL, unexpected trap into M"
bh_msg_strap: .asciz "bh: FAIL, unexpected trap into S"
bh_msg_cause: .asciz " cause=0x"
bh_msg_epc:   .asciz " epc=0x"
bh_msg_tval:  .asciz " tval=0x"
bh_msg_case:  .asciz " in case "

/* ---- HTIF words: their own 8-byte-aligned section ---- */
    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
tohost:   .word 0, 0
    .balign 64
    .globl fromhost
fromhost: .word 0, 0

    .section .data.bh, "aw", @progbits
    .balign 64
    .globl bh_mrec
bh_mrec:  .zero BH_REC_SIZE
    .globl bh_srec
bh_srec:  .zero BH_REC_SIZE
bh_dying: .word 0
bh_decbuf: .zero 12
.endm

/* Start of a program: the environment, then .text at bh_main (M-mode, interrupts off, gp = 0). */
#define BH_BEGIN   bh_env_code; .text; .balign 4; .globl bh_main; bh_main:

/* End of a program's code: PASS. Must be reached in M-mode. Data may follow in .data. */
#define BH_END     j bh_pass; .data

#endif /* BH_ENV_H */
