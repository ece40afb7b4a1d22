/*
 * crt0: the first instructions of every driver. The kernel starts a driver at _start (the first
 * word of .text, DRIVER_TEXT_BASE) with its image loaded and .bss zero-filled. _start sets the
 * stack pointer to the top of the driver stack (__stack_top, defined by driver.ld as
 * DRIVER_STACK_TOP), calls main() and passes its return value to sys_exit(). gp is not used
 * (drivers are built with -mno-relax), so it is not set.
 */
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	la	sp, __stack_top
	call	main
	call	sys_exit	/* a0 = main's return value; sys_exit does not return */
1:	j	1b
	.size _start, . - _start
