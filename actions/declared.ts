// A step, fault or probe declares its calls once: that declaration is its plan (--dry-run, the permission check, the
// IAM policy), and the only mutating calls its run (or check) may make. A mutating call the declaration does not name is refused
// before it leaves the process (it would be a change nobody planned, approved or granted).
import { DrillError } from '../core/errors.ts';
import {
  defineFault,
  defineStep,
  type FaultDefinition,
  type PlannedCall,
  type ProbeDefinition,
  type RunContext,
  type StepDefinition,
  type StepOutcome,
} from '../core/model.ts';

/** A step whose plan is its declared calls. */
export interface DeclaredStep<R> extends Omit<StepDefinition<R>, 'plan' | 'run'> {
  /** Every call the step makes, in order; mutating ones with `mutating: true`. `<...>` marks a part known at run time. */
  calls(ctx: RunContext<R>): PlannedCall[];
  /** Runs with a context whose audit refuses a mutating call that `calls` does not declare. */
  run(ctx: RunContext<R>): Promise<StepOutcome | undefined>;
}

export function declaredStep<R>(step: DeclaredStep<R>): StepDefinition<R> {
  const { calls, run, ...rest } = step;
  return defineStep<R>({
    ...rest,
    plan: calls,
    run: (ctx) => run(onlyDeclared(ctx, calls(ctx), `step "${step.title}"`)),
  });
}

/** A fault whose plan is its declared calls. */
export interface DeclaredFault<R> extends Omit<FaultDefinition<R>, 'plan' | 'inject'> {
  calls(ctx: RunContext<R>): PlannedCall[];
  inject(ctx: RunContext<R>): Promise<StepOutcome | undefined>;
}

export function declaredFault<R>(fault: DeclaredFault<R>): FaultDefinition<R> {
  const { calls, inject, ...rest } = fault;
  return defineFault<R>({
    ...rest,
    plan: calls,
    inject: (ctx) => inject(onlyDeclared(ctx, calls(ctx), `fault "${fault.title}"`)),
  });
}

/** A probe whose plan is its declared calls; any other field of the probe (a factory's own) is kept. */
export type DeclaredProbe<R> = Omit<ProbeDefinition<R>, 'plan'> & {
  /** Every call one check makes, in order; mutating ones with `mutating: true`. `<...>` marks a part known at run time. */
  calls(ctx: RunContext<R>): PlannedCall[];
};

/**
 * The probe with `plan` = its declared calls, each check run with a context whose audit refuses a mutating call the
 * declaration does not name. The probe's own fields (a generic factory's) pass through unchanged.
 */
export function declaredProbe<R, P extends DeclaredProbe<R> = DeclaredProbe<R>>(
  probe: P,
): Omit<P, 'calls'> & ProbeDefinition<R> {
  const { calls, check, ...rest } = probe;
  // One guarded context per context the engine passes in: a probe sampled every 250 ms keeps its per-context state
  // (connections are looked up by context) instead of seeing a new context each check.
  const guarded = new WeakMap<RunContext<R>, RunContext<R>>();
  const guardedCheck: ProbeDefinition<R>['check'] = (ctx, opts) => {
    let own = guarded.get(ctx);
    if (!own) {
      own = onlyDeclared(ctx, calls(ctx), `probe "${probe.name}"`);
      guarded.set(ctx, own);
    }
    return check(own, opts);
  };
  // TypeScript cannot see that P without calls and check, plus a check of the same signature, is P without calls.
  return { ...rest, plan: calls, check: guardedCheck } as unknown as Omit<P, 'calls'> & ProbeDefinition<R>;
}

/** `<...>` in a declared operation or scope stands for one value known only at run time. */
function pattern(declared: string): RegExp {
  const parts = declared.split(/<[^>]*>/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}

/** Whether `call` is one the declaration names: same service, operation and scope (a declared scope left out: any). */
export function isDeclared(declared: readonly PlannedCall[], call: PlannedCall): boolean {
  return declared.some(
    (d) =>
      d.mutating &&
      d.service === call.service &&
      pattern(d.operation).test(call.operation) &&
      (d.scope === undefined || pattern(d.scope).test(call.scope ?? '')),
  );
}

const shown = (c: PlannedCall) => `${c.service} ${c.operation}${c.scope ? ` @${c.scope}` : ''}`;

/** The context with an audit that refuses a mutating call not in `declared`. */
export function onlyDeclared<R>(ctx: RunContext<R>, declared: PlannedCall[], who: string): RunContext<R> {
  return {
    ...ctx,
    audit: {
      mutate(call, perform) {
        if (!isDeclared(declared, call)) {
          const listed = declared.filter((d) => d.mutating).map(shown);
          throw new DrillError(
            'E_STEP_FAILED',
            `${who} made an undeclared call, refused before it was sent: ${shown(call)} (its calls declare ${listed.length ? listed.join('; ') : 'no change'})`,
          );
        }
        return ctx.audit.mutate(call, perform);
      },
    },
  };
}
