/*
 * The one trap into the kernel: _ipc_trap(op, endpoint, message) executes ecall with a0 = op,
 * a1 = endpoint and a2 = message address already in place (the C calling convention puts the
 * arguments there), and returns the kernel's status from a0. The kernel preserves every other
 * register (ra included) and resumes at the instruction after the ecall.
 */
	.text
	.globl _ipc_trap
	.type _ipc_trap, @function
_ipc_trap:
	ecall
	ret
	.size _ipc_trap, . - _ipc_trap
