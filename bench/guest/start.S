# Bare-metal start for the CPU benchmarks: stack, trap vector, then main(); main's return
# value is reported through HTIF tohost.
  .option norvc
  .section .text.start
  .globl _start
_start:
  la sp, __stack_top
  la t0, trap_entry
  csrw mtvec, t0
  call main
  slli a0, a0, 1
  ori a0, a0, 1
  la t0, tohost
  sw a0, 0(t0)
1: j 1b

# The U-mode benchmark ends with ecall: M-mode reports pass (or the cause on anything else).
  .align 2
trap_entry:
  csrr t0, mcause
  li t1, 8
  bne t0, t1, 2f
  li a0, 0
  j 3f
2: addi a0, t0, 100
3: slli a0, a0, 1
  ori a0, a0, 1
  la t0, tohost
  sw a0, 0(t0)
4: j 4b

  .section .tohost, "aw", @progbits
  .align 3
  .globl tohost
tohost: .word 0, 0
  .globl fromhost
fromhost: .word 0, 0
