// T0: the instant the fault took effect, as the fault itself observed it (on AWS the FIS action's startTime, on
// the lab the same field of the lab's FIS), else the instant inject() resolved.

/** The key of StepOutcome.measurements under which a fault reports when it took effect (monotonic ms). */
export const FAULT_EFFECTIVE_AT = 'faultEffectiveAt';

/**
 * T0 from what inject() returned: its `faultEffectiveAt` clamped to [injectStartedAt, resolvedAt] (a fault
 * cannot take effect before it was asked for, nor after inject() said so), else `resolvedAt`.
 */
export function t0Of(
  measurements: Record<string, number> | undefined,
  injectStartedAt: number,
  resolvedAt: number,
): number {
  const effective = measurements?.[FAULT_EFFECTIVE_AT];
  if (effective === undefined || !Number.isFinite(effective)) return resolvedAt;
  return Math.min(Math.max(effective, injectStartedAt), resolvedAt);
}

/**
 * A wall-clock instant reported by a remote service (e.g. FIS startTime) on the run's monotonic clock, through
 * the current offset between the two: `now` and `wallNow` are read together.
 */
export function monoOfWall(wall: Date, now: number, wallNow: number): number {
  return now - (wallNow - wall.getTime());
}
