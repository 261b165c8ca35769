import { describe, expect, it } from 'vitest';
import { applySignOffFlags, parseParticipants, signOffFromEnv } from './sign-off.ts';

describe('sign-off', () => {
  it('reads participants as a trimmed, de-duplicated list', () => {
    expect(parseParticipants(' ann, bo ,,ann,cy ')).toEqual(['ann', 'bo', 'cy']);
    expect(parseParticipants(undefined)).toEqual([]);
  });

  it('comes from DRILL_APPROVER / DRILL_PARTICIPANTS, undefined when neither is set', () => {
    expect(signOffFromEnv({ DRILL_APPROVER: ' Dana ', DRILL_PARTICIPANTS: 'a,b' })).toEqual({
      approver: 'Dana',
      participants: ['a', 'b'],
    });
    expect(signOffFromEnv({ DRILL_PARTICIPANTS: 'a' })).toEqual({ approver: null, participants: ['a'] });
    expect(signOffFromEnv({ DRILL_APPROVER: '  ' })).toBeUndefined();
  });

  it('flags win over the env', () => {
    const env: NodeJS.ProcessEnv = { DRILL_APPROVER: 'old' };
    applySignOffFlags({ approver: 'new', participants: 'x, y' }, env);
    expect(signOffFromEnv(env)).toEqual({ approver: 'new', participants: ['x', 'y'] });
  });
});
