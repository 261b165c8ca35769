// Objectives, shared by scenarios (all required) and targets (any subset).

import { joinPath } from './describe.ts';
import { duration, durationMs, fraction } from './fields.ts';
import type { Shape } from './walk.ts';

/** A duration as the author wrote it ("30m"); only called on values durationMs() accepted. */
function shown(value: unknown): string {
  return String(value).trim();
}

export function objectivesShape(allRequired: boolean): Shape {
  return {
    fields: {
      rto: duration({ positive: true }),
      rpo: duration({ positive: false }),
      stableFor: duration({ positive: true }),
      availabilitySlo: fraction,
    },
    required: allRequired ? ['rto', 'rpo', 'stableFor'] : [],
    unknownFields: 'report',
    // A stability window as long as the RTO could never be met.
    after(value, path, out) {
      const rto = durationMs(value.rto);
      const stableFor = durationMs(value.stableFor);
      if (rto === undefined || stableFor === undefined || stableFor < rto) return;
      const relation = stableFor === rto ? '=' : '<';
      out.add(
        joinPath(path, 'stableFor'),
        `must be shorter than ${joinPath(path, 'rto')} (${shown(value.rto)} ${relation} ${shown(value.stableFor)})`,
      );
    },
  };
}
