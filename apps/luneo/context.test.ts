// One set of connections per run, but every step's and probe's calls are audited under that step.
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../core/model.ts';
import { luneo } from './context.ts';
import { testRun } from './testing.ts';

const auditNamed = (name: string): AuditLog & { name: string } => ({
  name,
  mutate: async (_call, perform) => perform(),
});

describe('luneo(ctx)', () => {
  it('shares the SDK clients of the run but binds each context to its own audit log', async () => {
    const run = testRun({ hostedZone: { name: 'luneo.app.', id: 'Z123' } });
    const step = { ...run, audit: auditNamed('failover step') };
    const probe = { ...run, audit: auditNamed('verify probe') };
    const [a, b, again] = await Promise.all([luneo(step), luneo(probe), luneo(step)]);
    expect(again).toBe(a);
    expect(a.aws.factory).toBe(b.aws.factory);
    expect((a.aws.options.audit as unknown as { name: string }).name).toBe('failover step');
    expect((b.aws.options.audit as unknown as { name: string }).name).toBe('verify probe');
  });
});
