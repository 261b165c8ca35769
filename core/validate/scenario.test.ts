import { describe, expect, it } from 'vitest';
import { assertValid, validateScenario } from './index.ts';

const FILE = 'scenarios/x.ts';
const noop = async () => undefined;

function probe(name: string) {
  return { name, check: async () => ({ ok: true }) };
}

function validScenario(): Record<string, unknown> {
  return {
    name: 'aurora-outage',
    summary: 'Primary Aurora cluster unreachable in eu-west-1: fail over to us-east-1',
    objectives: { rto: '30m', rpo: '5m', stableFor: '30s', availabilitySlo: 0.999 },
    steadyState: [probe('health'), { ...probe('lag'), interval: '1s', timeout: '5s', runbook: '§6.1' }],
    fault: { title: 'Cut the primary database network', duration: '10m', inject: noop, revert: noop },
    failover: [
      { title: 'Replication lag is below the RPO', runbook: '§6.1', plannedAt: '2m', run: noop },
      {
        id: 'failover-global-cluster',
        title: 'Fail over the global cluster',
        runbook: '§6.1',
        plannedAt: 'PT5M',
        timeout: '10m',
        run: noop,
        irreversible: { reason: 'promotion', wayBack: 'switchback scenario' },
        findings: [
          {
            runbook: '§6.1',
            says: 'PromoteReadReplicaDBCluster',
            actually: 'FailoverGlobalCluster',
            severity: 'major',
          },
        ],
      },
      { title: 'Stop primary AI workers', bestEffort: true, run: noop, undo: noop, plan: () => [] },
    ],
    recovery: [probe('health'), probe('order')],
    verify: [probe('smoke')],
    restore: [{ title: 'Restore the primary', run: noop }],
    ledger: { name: 'canary', interval: '100ms', start: noop, stop: noop, collect: noop },
    background: [{ name: 'load', start: noop, stop: noop }],
    defaultTarget: 'lab',
    recoveryTimeout: '45m',
    tags: ['database'],
  };
}

function problemsOf(patch: (s: Record<string, unknown>) => void): string[] {
  const scenario = validScenario();
  patch(scenario);
  return validateScenario(scenario, FILE).map((p) => `${p.file}: ${p.path}: ${p.message}`);
}

const steps = (s: Record<string, unknown>) => s.failover as Record<string, unknown>[];

describe('validateScenario', () => {
  it('accepts a complete scenario', () => {
    expect(validateScenario(validScenario(), FILE)).toEqual([]);
  });

  it('accepts a minimal scenario with empty lists and probes built as class instances', () => {
    class Health {
      name = 'health';
      async check() {
        return { ok: true };
      }
    }
    const minimal = {
      name: 'pod-kill',
      summary: 'Kill a pod',
      objectives: { rto: '5m', rpo: '0s', stableFor: '10s' },
      steadyState: [],
      fault: { title: 'Kill', inject: noop, revert: noop },
      failover: [],
      recovery: [new Health()],
      verify: [],
    };
    expect(validateScenario(minimal, FILE)).toEqual([]);
  });

  it('rejects something that is not an object, with an empty path', () => {
    expect(validateScenario(undefined, FILE)).toEqual([
      {
        file: FILE,
        path: '',
        message: 'expected a scenario (export default defineScenario({ ... })), got undefined',
      },
    ]);
    expect(validateScenario([], FILE)[0]!.message).toBe(
      'expected a scenario (export default defineScenario({ ... })), got an empty array',
    );
  });

  it('names a non-kebab name', () => {
    expect(problemsOf((s) => (s.name = 'Aurora Outage'))).toEqual([
      'scenarios/x.ts: name: expected a kebab-case name like "aurora-outage", got "Aurora Outage"',
    ]);
  });

  it('reuses the duration wording', () => {
    expect(problemsOf((s) => (steps(s)[2]!.plannedAt = 'five'))).toEqual([
      'scenarios/x.ts: failover[2].plannedAt: expected a duration like "5m", "300s" or "PT5M", got "five"',
    ]);
    expect(problemsOf((s) => (s.recoveryTimeout = 300))).toEqual([
      'scenarios/x.ts: recoveryTimeout: expected a duration like "5m", "300s" or "PT5M", got 300',
    ]);
  });

  it('refuses zero-length timeouts but accepts a plannedAt of 0', () => {
    expect(
      problemsOf((s) => {
        steps(s)[0]!.timeout = '0s';
        steps(s)[0]!.plannedAt = '0s';
      }),
    ).toEqual(['scenarios/x.ts: failover[0].timeout: must be longer than 0, got "0s"']);
  });

  it('asks for the step action', () => {
    expect(problemsOf((s) => delete steps(s)[0]!.run)).toEqual([
      "scenarios/x.ts: failover[0].run: expected a function (the step's action), got undefined",
    ]);
  });

  it('asks for a runbook reference with its section sign', () => {
    expect(problemsOf((s) => (steps(s)[1]!.runbook = '6.1'))).toEqual([
      'scenarios/x.ts: failover[1].runbook: expected a runbook reference like "§6.1", got "6.1"',
    ]);
  });

  it('wants the stability window shorter than the RTO', () => {
    expect(problemsOf((s) => (s.objectives = { rto: '30s', rpo: '5m', stableFor: '30m' }))).toEqual([
      'scenarios/x.ts: objectives.stableFor: must be shorter than objectives.rto (30s < 30m)',
    ]);
    expect(problemsOf((s) => (s.objectives = { rto: '30m', rpo: '5m', stableFor: '1800s' }))).toEqual([
      'scenarios/x.ts: objectives.stableFor: must be shorter than objectives.rto (30m = 1800s)',
    ]);
  });

  it('checks every objective and the SLO fraction', () => {
    expect(
      problemsOf((s) => (s.objectives = { rto: '30m', stableFor: '30s', availabilitySlo: 99.9, rpi: '5m' })),
    ).toEqual([
      'scenarios/x.ts: objectives.availabilitySlo: expected a fraction between 0 and 1 like 0.999, got 99.9',
      'scenarios/x.ts: objectives.rpi: unknown field; did you mean "rpo"?',
      'scenarios/x.ts: objectives.rpo: expected a duration like "5m", "300s" or "PT5M", got undefined',
    ]);
  });

  it('reports duplicate step ids, explicit or derived from the title, across failover and restore', () => {
    expect(
      problemsOf((s) => {
        steps(s).push({ title: 'Replication lag is below the RPO!', run: noop });
        steps(s).push({ id: 'failover-global-cluster', title: 'Again', run: noop });
        (s.restore as Record<string, unknown>[]).push({
          id: 'stop-primary-ai-workers',
          title: 'Other',
          run: noop,
        });
      }),
    ).toEqual([
      'scenarios/x.ts: failover[3].title: gives the step id "replication-lag-is-below-the-rpo", already used by failover[0]; set a distinct `id`',
      'scenarios/x.ts: failover[4].id: duplicate step id "failover-global-cluster", already used by failover[1]',
      'scenarios/x.ts: restore[1].id: duplicate step id "stop-primary-ai-workers", already used by failover[2]',
    ]);
  });

  it('wants step ids in kebab-case and titles that give an id', () => {
    expect(
      problemsOf((s) => {
        steps(s)[0]!.id = 'Lag Check';
        steps(s)[2]!.title = '§§ !';
      }),
    ).toEqual([
      'scenarios/x.ts: failover[0].id: expected a kebab-case step id like "promote-secondary", got "Lag Check"',
      'scenarios/x.ts: failover[2].title: gives no step id (it has no letters or digits); set `id`',
    ]);
  });

  it('refuses a step that has an undo and claims to be irreversible', () => {
    expect(problemsOf((s) => (steps(s)[1]!.undo = noop))).toEqual([
      'scenarios/x.ts: failover[1].irreversible: a step with undo() cannot also be irreversible; remove one of them',
    ]);
  });

  it('checks irreversible and findings shapes', () => {
    expect(
      problemsOf((s) => {
        steps(s)[1]!.irreversible = { reason: 'promotion' };
        steps(s)[1]!.findings = [{ runbook: '§6.1', says: 'x', actually: '', severity: 'critical' }];
      }),
    ).toEqual([
      'scenarios/x.ts: failover[1].irreversible.wayBack: expected a non-empty string (how to get back, e.g. a switchback), got undefined',
      'scenarios/x.ts: failover[1].findings[0].actually: expected a non-empty string (what is actually true), got ""',
      'scenarios/x.ts: failover[1].findings[0].severity: expected one of "info", "minor", "major", got "critical"',
    ]);
  });

  it('needs probes with a name and a check, unique per list', () => {
    expect(
      problemsOf((s) => {
        s.steadyState = [{ name: 'health' }, { check: noop }, 'health'];
        s.recovery = [probe('health'), { ...probe('health'), intervl: '1s' }];
      }),
    ).toEqual([
      "scenarios/x.ts: steadyState[0].check: expected a function (the probe's check), got undefined",
      "scenarios/x.ts: steadyState[1].name: expected a non-empty string (the probe's name), got undefined",
      'scenarios/x.ts: steadyState[2]: expected a probe { name, check }, got "health"',
      'scenarios/x.ts: recovery[1].intervl: unknown field; did you mean "interval"?',
      'scenarios/x.ts: recovery[1].name: duplicate probe name "health", already used by recovery[0]',
    ]);
  });

  it('refuses an empty recovery list', () => {
    expect(problemsOf((s) => (s.recovery = []))).toEqual([
      'scenarios/x.ts: recovery: must list at least one probe (RTO ends when every recovery probe passes)',
    ]);
  });

  it('needs a fault with inject and revert functions', () => {
    expect(problemsOf((s) => (s.fault = { title: 'Cut', inject: 'fis' }))).toEqual([
      'scenarios/x.ts: fault.inject: expected a function (injecting the fault), got "fis"',
      'scenarios/x.ts: fault.revert: expected a function (reverting the fault), got undefined',
    ]);
    expect(problemsOf((s) => (s.fault = null))).toEqual([
      'scenarios/x.ts: fault: expected a fault { title, inject, revert }, got null',
    ]);
  });

  it('checks the ledger and background shapes', () => {
    expect(
      problemsOf((s) => {
        s.ledger = { name: 'canary', interval: 'fast', start: noop, stop: noop };
        s.background = [{ name: 'load', start: noop }, 42];
      }),
    ).toEqual([
      'scenarios/x.ts: ledger.interval: expected a duration like "5m", "300s" or "PT5M", got "fast"',
      'scenarios/x.ts: ledger.collect: expected a function (reading the writes and the survivors), got undefined',
      'scenarios/x.ts: background[0].stop: expected a function (stopping it), got undefined',
      'scenarios/x.ts: background[1]: expected an activity { name, start, stop }, got 42',
    ]);
  });

  it('suggests the field meant by an unknown top-level key', () => {
    expect(
      problemsOf((s) => {
        s.failvoer = s.failover;
        delete s.failover;
        s.colour = 'blue';
      }),
    ).toEqual([
      'scenarios/x.ts: failvoer: unknown field; did you mean "failover"?',
      'scenarios/x.ts: colour: unknown field; known fields are name, summary, objectives, steadyState, fault, failover, recovery, verify, restore, ledger, background, defaultTarget, recoveryTimeout, tags',
      'scenarios/x.ts: failover: expected an array of steps, got undefined',
    ]);
  });

  it('tolerates extra fields on steps built by helpers, unless they look like typos', () => {
    expect(problemsOf((s) => (steps(s)[0]!.meta = { source: 'actions/rds' }))).toEqual([]);
    expect(problemsOf((s) => (steps(s)[0]!.plannedat = '2m'))).toEqual([
      'scenarios/x.ts: failover[0].plannedat: unknown field; did you mean "plannedAt"?',
    ]);
  });

  it('reports everything at once, in document order', () => {
    const bad = {
      name: 'X',
      summary: '',
      objectives: { rto: 'soon', rpo: '5m', stableFor: '30s' },
      steadyState: [],
      fault: { title: 'f', inject: noop, revert: noop },
      failover: [{ title: 'a', run: noop, bestEffort: 'yes' }],
      recovery: [probe('health')],
      verify: [],
      defaultTarget: 'Prod',
      tags: ['ok', 3],
    };
    expect(validateScenario(bad, FILE).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'name: expected a kebab-case name like "aurora-outage", got "X"',
      'summary: expected a non-empty string (one line saying what the scenario rehearses), got ""',
      'objectives.rto: expected a duration like "5m", "300s" or "PT5M", got "soon"',
      'failover[0].bestEffort: expected true or false, got "yes"',
      'defaultTarget: expected a kebab-case target name like "lab", got "Prod"',
      'tags[1]: expected a non-empty string (a tag), got 3',
    ]);
  });

  it('assertValid throws one ValidationError listing every problem', () => {
    const problems = validateScenario({ ...validScenario(), name: 'A', recovery: [] }, FILE);
    expect(() => assertValid(problems)).toThrow(
      [
        'scenarios/x.ts: name: expected a kebab-case name like "aurora-outage", got "A"',
        'scenarios/x.ts: recovery: must list at least one probe (RTO ends when every recovery probe passes)',
      ].join('\n'),
    );
    expect(() => assertValid([])).not.toThrow();
  });
});
