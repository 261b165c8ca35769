import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Scenario, Target } from '../../../core/model.ts';
import { runScenario } from '../../../core/runner/run-scenario.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import prod from '../targets/prod.ts';

describe('apps/luneo/targets/prod.ts', () => {
  it('with the placeholder account and no settings, an executing run refuses before any call: exit 5, each variable to set named', async () => {
    expect(prod.aws.accountIds).toEqual([process.env.LUNEO_PROD_ACCOUNT_ID ?? '000000000000']);
    for (const name of [
      'LUNEO_PROD_ZONE_ID',
      'LUNEO_ECOMMERCE_WEBHOOK_SECRETS',
      'DRILL_APPROVER',
      'DRILL_PARTICIPANTS',
    ])
      vi.stubEnv(name, '');
    const target = { ...prod, aws: { ...prod.aws, accountIds: ['000000000000'] } } as Target<unknown>;
    const outDir = mkdtempSync(join(tmpdir(), 'drill-prod-'));
    const result = await runScenario(auroraOutage as Scenario<unknown>, target, { runId: 'run-p', outDir });
    vi.unstubAllEnvs();
    expect([result.verdict, result.exitCode]).toEqual(['failed', 5]);
    expect(result.reason.split('; ').map((p) => p.match(/(LUNEO|DRILL)_[A-Z_]+/)?.[0])).toEqual([
      'LUNEO_PROD_ACCOUNT_ID',
      'LUNEO_PROD_ZONE_ID',
      'LUNEO_ECOMMERCE_WEBHOOK_SECRETS',
      'DRILL_APPROVER',
      'DRILL_PARTICIPANTS',
    ]);
    expect(result.reason).toMatch(
      /^refused to start, nothing was injected: targets\/prod\.ts: aws\.accountIds: 000000000000 is a placeholder, not an AWS account: set LUNEO_PROD_ACCOUNT_ID to the account id \(12 digits\) and run again; /,
    );
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
