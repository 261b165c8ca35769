// Issue #6: aurora-outage on the lab with 10 % of AWS calls throttled, failing (5xx) or timing out (exact shares
// of every 100 calls: 4, 5 and 1), and half of the applied mutations losing their answer: the drill passes, and
// the lab applied each mutation once per intent (the audit log's; Route 53 per record set). The same run's
// outputs are then grepped for every secret of the lab.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, spawnDrill } from '../core/cli/spawn-drill.ts';
import { type SafetyLab, startSafetyLab } from './testing/safety-lab.ts';
import { filesUnder, findSecrets, labSecrets, type SecretValue } from './testing/secrets.ts';

const FAULTS = { throttleRate: 0.04, errorRate: 0.05, timeoutRate: 0.01, lostAnswerRate: 0.5, seed: 6 };

let lab: SafetyLab;
let secrets: SecretValue[];
let run: { code: number | null; stdout: string; stderr: string; runDir: string; ms: number };

beforeAll(async () => {
  lab = await startSafetyLab('safety-cpf', { wanLatencyMs: 50, healthCheckIntervalMs: 250 });
  secrets = await labSecrets(lab.info);
  await lab.setControlPlaneFaults(FAULTS);
  const started = performance.now();
  // Through vitest (no --in-process), so the Allure results are written and grepped too.
  const drill = spawnDrill(['aurora-outage', '--out', lab.outDir], lab.env);
  let stdout = '';
  let stderr = '';
  drill.child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  drill.child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await drill.exited;
  await lab.setControlPlaneFaults(null);
  run = {
    code,
    stdout,
    stderr,
    runDir: runDirIn(lab.outDir) as string,
    ms: Math.round(performance.now() - started),
  };
  process.stdout.write(`[control-plane faults] drill ${run.ms} ms\n`);
}, 420_000);
afterAll(async () => lab?.close(), 60_000);

const AWS_SERVICES = new Set([
  'rds',
  'route53',
  'fis',
  'secretsmanager',
  'cloudwatch',
  'sts',
  'elasticache',
  's3',
]);

interface AuditRecord {
  event: string;
  service: string;
  operation: string;
  params: Record<string, unknown>;
}

function auditRecords(runDir: string): AuditRecord[] {
  return readFileSync(join(runDir, 'actions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);
}

/** Mutating AWS calls the drill meant to make, by operation: one audit "before" record per intent. */
function intents(runDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of auditRecords(runDir)) {
    if (record.event !== 'before' || !AWS_SERVICES.has(record.service)) continue;
    counts[record.operation] = (counts[record.operation] ?? 0) + 1;
  }
  return counts;
}

/** "UPSERT api.luneo.app. CNAME (primary-eu-west-1)" → count, as the audit says the drill meant them. */
function recordSetIntents(runDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of auditRecords(runDir)) {
    if (r.event !== 'before' || r.operation !== 'ChangeResourceRecordSets') continue;
    const p = r.params as { Action: string; Name: string; Type: string; SetIdentifier?: string };
    const key = `${p.Action} ${p.Name} ${p.Type}${p.SetIdentifier ? ` (${p.SetIdentifier})` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The same, as the lab's Route 53 applied them (one log line per record set of an applied batch). */
function recordSetsApplied(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of log.matchAll(/route53: change \S+ applied (.+)$/gm)) {
    const key = m[1] as string;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** How many AWS calls the lab answered with each fault. */
function faultCounts(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of log.matchAll(/\(fault: ([a-z-]+)\)/g)) {
    const kind = m[1] as string;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('aurora-outage with a faulty AWS control plane', () => {
  it('passes', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('verdict: PASSED (exit 0)');
  });

  it('met the faults it was given: throttles, 5xx, timeouts and lost answers of applied mutations', () => {
    const faults = faultCounts(readFileSync(join(lab.dir, 'lab.log'), 'utf8'));
    process.stdout.write(`[control-plane faults] lab faults ${JSON.stringify(faults)}\n`);
    expect(faults.throttle ?? 0).toBeGreaterThan(0);
    expect(faults.error ?? 0).toBeGreaterThan(0);
    expect(faults.timeout ?? 0).toBeGreaterThan(0);
    expect(faults['lost-answer'] ?? 0).toBeGreaterThan(0);
  });

  it('applied every mutation once per intent: no retry applied a change twice', async () => {
    const applied = await lab.mutations();
    const meant = intents(run.runDir);
    process.stdout.write(`[control-plane faults] applied ${JSON.stringify(applied)}\n`);
    expect(applied).toEqual(meant);
    // The failover's own changes, each exactly once; StartExperiment twice: the FIS target preview
    // (skip-all, preflight quota check), then the fault.
    expect(applied).toMatchObject({
      StartExperiment: 2,
      StopExperiment: 1,
      FailoverGlobalCluster: 1,
      FailoverGlobalReplicationGroup: 1,
    });
    // DATABASE_URL and REDIS_URL, each once.
    expect(meant.PutSecretValue).toBeGreaterThanOrEqual(2);
    // Route 53: each failover record set UPSERTed once, as the lab applied it.
    const perRecord = recordSetIntents(run.runDir);
    expect(Object.values(perRecord)).toEqual([1, 1]);
    expect(recordSetsApplied(readFileSync(join(lab.dir, 'lab.log'), 'utf8'))).toEqual(perRecord);
  });

  it('left no secret of the lab in any output: console, result.json, journal, audit, attachments, Allure', async () => {
    // The failover rewrote DATABASE_URL and REDIS_URL: grep for the values from before and after the run.
    // The drill's own run lock (drill/lock/<target>: run id, holder, releasedBy) is written by the run and
    // holds no secret: its run id is meant to be in every output.
    const after = (await labSecrets(lab.info)).filter((s) => !s.label.startsWith('drill/lock/'));
    const all = [...secrets, ...after.filter((s) => !secrets.some((b) => b.value === s.value))];
    const files = filesUnder(run.runDir);
    for (const expected of ['result.json', 'journal.json', 'actions.jsonl'])
      expect(files.map((f) => f.slice(run.runDir.length + 1))).toContain(expected);
    expect(files.some((f) => f.includes('/allure-results/'))).toBe(true);
    expect(files.some((f) => f.includes('/attachments/'))).toBe(true);
    expect(all.map((s) => s.label)).toContain('prod/luneo/DATABASE_URL password');
    expect(all.map((s) => s.label)).toContain('prod/luneo/REDIS_URL password');
    // The grep finds a secret where there is one.
    const sample = all.find((s) => s.label === 'prod/luneo/DATABASE_URL password') as SecretValue;
    expect(findSecrets(all, [], { probe: `url=${sample.value};` }, lab.outDir)).toEqual([
      'probe: prod/luneo/DATABASE_URL password',
    ]);
    expect(
      findSecrets(all, filesUnder(lab.outDir), { stdout: run.stdout, stderr: run.stderr }, lab.outDir),
    ).toEqual([]);
  });
});
