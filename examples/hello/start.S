/*
 * Minimal C runtime start for bare-metal bulkhead guests (M-mode, no traps expected).
 * Sets the stack pointer to the end of RAM, clears .bss, calls main() and reports its return
 * value through HTIF: tohost = (code << 1) | 1, so main returning 0 writes 1 (pass).
 * Then spins until the host stops the machine.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  call    main
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
    sw      a0, 0(t0)
3:  j       3b
