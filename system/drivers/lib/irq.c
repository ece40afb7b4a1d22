/*
 * Interrupt control (SYS_IRQCTL). A driver sets a policy for its IRQ line and gets a hook id
 * back; each interrupt then arrives as a notification from HARDWARE whose m_notify.interrupts
 * has bit (1 << hook id) set. With policy 0 the kernel leaves the line masked after delivering
 * the notification until the driver calls sys_irqenable (after acknowledging the device).
 */
#include "libsys.h"

static int irqctl(int request, int irq, int policy, int *hook_id)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_irqctl.request = (uint32_t)request;
  m.m_irqctl.irq = (uint32_t)irq;
  m.m_irqctl.policy = (uint32_t)policy;
  m.m_irqctl.hook_id = (uint32_t)*hook_id;
  r = _kernel_call(SYS_IRQCTL, &m);
  if (r == OK && request == IRQ_SETPOLICY) *hook_id = (int)m.m_irqctl.hook_id;
  return r;
}

/* Attaches us to `irq` with `policy` (0 or IRQ_REENABLE); *hook_id becomes the kernel's hook id. */
int sys_irqsetpolicy(int irq, int policy, int *hook_id)
{
  return irqctl(IRQ_SETPOLICY, irq, policy, hook_id);
}

int sys_irqrmpolicy(int *hook_id)
{
  return irqctl(IRQ_RMPOLICY, 0, 0, hook_id);
}

/* Unmasks the line of hook *hook_id (after the device's interrupt has been acknowledged). */
int sys_irqenable(int *hook_id)
{
  return irqctl(IRQ_ENABLE, 0, 0, hook_id);
}

int sys_irqdisable(int *hook_id)
{
  return irqctl(IRQ_DISABLE, 0, 0, hook_id);
}
