/*
 * Fault injection for bulkhead drivers: plan concrete faults from a fault model (pure, seeded),
 * inject them into a running System and report whether they were activated. Nothing here knows
 * about campaigns, stores or reports. See README.md ("Fault models").
 */
export * from "./types.js";
export { planFault, planFaults, checkModel } from "./plan.js";
export { describeFault, describeActivation, siteText, portName } from "./describe.js";
export { arm, onBreakpoint, atCycle, refresh, activation, disarm, type Injection, type Activation, type ArmResult, type Phase } from "./inject.js";
export { NOP, JAL_SELF } from "./rv32.js";
