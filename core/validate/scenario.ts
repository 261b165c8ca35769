// The shape of a scenario file, with messages that name the field and how to fix it.

import type { Problem } from '../errors.ts';
import { joinPath } from './describe.ts';
import { bool, duration, fn, KEBAB_CASE, kebabName, oneOf, runbookRef, text } from './fields.ts';
import { objectivesShape } from './objectives.ts';
import { slugify } from './slug.ts';
import { arrayOf, type Check, checkObject, objectOf, Problems, type Shape } from './walk.ts';

const findingShape: Shape = {
  fields: {
    runbook: runbookRef,
    says: text('what the runbook says'),
    actually: text('what is actually true'),
    severity: oneOf(['info', 'minor', 'major']),
  },
  required: ['runbook', 'says', 'actually', 'severity'],
  unknownFields: 'report',
};
const findings = arrayOf(
  'runbook findings',
  objectOf('a finding { runbook, says, actually, severity }', findingShape),
);

const irreversibleShape: Shape = {
  fields: { reason: text('why it cannot be undone'), wayBack: text('how to get back, e.g. a switchback') },
  required: ['reason', 'wayBack'],
  unknownFields: 'report',
};

const probeShape: Shape = {
  fields: {
    name: text("the probe's name"),
    description: text('what the probe checks'),
    runbook: runbookRef,
    interval: duration({ positive: true }),
    timeout: duration({ positive: true }),
    plan: fn('listing the calls the probe makes'),
    check: fn("the probe's check"),
  },
  required: ['name', 'check'],
  unknownFields: 'typos',
};

/** A list of probes whose names are unique within it (they key the measurements). */
function probeList(nonEmpty?: string): Check {
  return (value, path, out) => {
    const seen = new Map<string, string>();
    const probe: Check = (item, at) => {
      if (!checkObject(item, at, probeShape, out, 'a probe { name, check }')) return;
      const name = (item as Record<string, unknown>).name;
      if (typeof name !== 'string') return;
      const first = seen.get(name);
      if (first === undefined) seen.set(name, at);
      else out.add(joinPath(at, 'name'), `duplicate probe name "${name}", already used by ${first}`);
    };
    arrayOf('probes', probe, nonEmpty)(value, path, out);
  };
}

/** Step ids are unique across failover and restore: `ids` maps each id to the step that took it. */
function stepShape(ids: Map<string, string>): Shape {
  return {
    fields: {
      id: kebabName('promote-secondary', 'step id'),
      title: text("the step's title"),
      runbook: runbookRef,
      plannedAt: duration({ positive: false }),
      timeout: duration({ positive: true }),
      bestEffort: bool,
      plan: fn('listing the calls the step would make'),
      run: fn("the step's action"),
      undo: fn("the step's undo"),
      irreversible: objectOf('{ reason, wayBack }', irreversibleShape),
      findings,
    },
    required: ['title', 'run'],
    unknownFields: 'typos',
    after(step, at, out) {
      if (typeof step.undo === 'function' && step.irreversible !== undefined) {
        out.add(
          joinPath(at, 'irreversible'),
          'a step with undo() cannot also be irreversible; remove one of them',
        );
      }
      const explicit = step.id !== undefined;
      if (explicit && (typeof step.id !== 'string' || !KEBAB_CASE.test(step.id))) return;
      if (!explicit && typeof step.title !== 'string') return;
      const id = explicit ? (step.id as string) : slugify(step.title as string);
      const where = joinPath(at, explicit ? 'id' : 'title');
      if (id === '') return out.add(where, 'gives no step id (it has no letters or digits); set `id`');
      const first = ids.get(id);
      if (first === undefined) ids.set(id, at);
      else if (explicit) out.add(where, `duplicate step id "${id}", already used by ${first}`);
      else out.add(where, `gives the step id "${id}", already used by ${first}; set a distinct \`id\``);
    },
  };
}

const faultShape: Shape = {
  fields: {
    title: text("the fault's title"),
    runbook: runbookRef,
    duration: duration({ positive: true }),
    timeout: duration({ positive: true }),
    plan: fn('listing the calls the fault would make'),
    inject: fn('injecting the fault'),
    revert: fn('reverting the fault'),
    findings,
  },
  required: ['title', 'inject', 'revert'],
  unknownFields: 'typos',
};

const ledgerShape: Shape = {
  fields: {
    name: text("the ledger's name"),
    interval: duration({ positive: true }),
    warmup: duration({ positive: false }),
    plan: fn('listing the calls the ledger makes'),
    start: fn('starting the writes'),
    stop: fn('stopping the writes'),
    collect: fn('reading the writes and the survivors'),
  },
  required: ['name', 'start', 'stop', 'collect'],
  unknownFields: 'typos',
};

const backgroundShape: Shape = {
  fields: { name: text("the activity's name"), start: fn('starting the activity'), stop: fn('stopping it') },
  required: ['name', 'start', 'stop'],
  unknownFields: 'typos',
};

function scenarioShape(): Shape {
  const ids = new Map<string, string>();
  const steps = arrayOf('steps', objectOf('a step { title, run }', stepShape(ids)));
  return {
    fields: {
      name: kebabName('aurora-outage'),
      summary: text('one line saying what the scenario rehearses'),
      objectives: objectOf('objectives { rto, rpo, stableFor }', objectivesShape(true)),
      steadyState: probeList(),
      fault: objectOf('a fault { title, inject, revert }', faultShape),
      failover: steps,
      recovery: probeList('must list at least one probe (RTO ends when every recovery probe passes)'),
      verify: probeList(),
      restore: steps,
      ledger: objectOf('a write ledger { name, start, stop, collect }', ledgerShape),
      background: arrayOf(
        'background activities',
        objectOf('an activity { name, start, stop }', backgroundShape),
      ),
      defaultTarget: kebabName('lab', 'target name'),
      recoveryTimeout: duration({ positive: true }),
      tags: arrayOf('tags', text('a tag')),
    },
    required: ['name', 'summary', 'objectives', 'steadyState', 'fault', 'failover', 'recovery', 'verify'],
    unknownFields: 'report',
  };
}

/** Every problem of a scenario at once, in document order; [] when it is valid. */
export function validateScenario(value: unknown, file: string): Problem[] {
  const out = new Problems(file);
  checkObject(value, '', scenarioShape(), out, 'a scenario (export default defineScenario({ ... }))');
  return out.list;
}
