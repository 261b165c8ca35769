import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario, Target } from '../../core/model.ts';
import { runScenario } from '../../core/runner/run-scenario.ts';
import auroraOutage from '../../scenarios/aurora-outage.ts';
import prod from '../prod.ts';

describe('targets/prod.ts', () => {
  it('with the placeholder account, an executing run refuses before any call: exit 1, the variable to set named', async () => {
    expect(prod.aws.accountIds).toEqual([process.env.LUNEO_PROD_ACCOUNT_ID ?? '000000000000']);
    const target = { ...prod, aws: { ...prod.aws, accountIds: ['000000000000'] } } as Target<unknown>;
    const outDir = mkdtempSync(join(tmpdir(), 'drill-prod-'));
    const result = await runScenario(auroraOutage as Scenario<unknown>, target, { runId: 'run-p', outDir });
    expect([result.verdict, result.exitCode, result.reason]).toEqual([
      'failed',
      1,
      'refused to start, nothing was injected: targets/prod.ts: aws.accountIds: 000000000000 is a placeholder, not an AWS account: set LUNEO_PROD_ACCOUNT_ID to the account id (12 digits) and run again',
    ]);
    expect(result.steps).toEqual([]);
    expect(result.probes.steadyState).toEqual([]);
    // The audit log is written at the first mutating call: there was none.
    expect(existsSync(join(outDir, 'runs', 'run-p', 'actions.jsonl'))).toBe(false);
    expect(JSON.parse(readFileSync(join(outDir, 'runs', 'run-p', 'journal.json'), 'utf8')).reason).toBe(
      result.reason,
    );
  });

  it('declares an abort alarm distinct from the outage alarms the drill expects to fire', () => {
    const expected = Object.values(prod.resources.alarms).map((a) => a.name);
    const abort = prod.safety?.abortAlarms ?? [];
    expect(abort.map((a) => a.name)).toEqual(['luneo-prod-dr-abort']);
    expect(abort.filter((a) => expected.includes(a.name))).toEqual([]);
    expect(prod.resources.fis.stopConditionAlarmArn).toMatch(/:alarm:luneo-prod-dr-abort$/);
  });
});
