// Issue 19: dr-drill.yml signs its evidence with GitHub artifact attestations (Sigstore, the run's OIDC identity):
// each run's result.json and each compliance record the job adds, also after a cancel or a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../core/registry.ts';
import { WORKFLOWS_DIR } from './workflow-checks.ts';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
}

const workflow = parse(readFileSync(join(PROJECT_ROOT, WORKFLOWS_DIR, 'dr-drill.yml'), 'utf8')) as {
  jobs: Record<string, Job>;
};
const drill = workflow.jobs.drill as Job;
const attests = drill.steps.filter((s) => s.uses?.startsWith('actions/attest'));

describe('dr-drill.yml attests its evidence', () => {
  it('with actions/attest pinned by commit, and the permissions it needs', () => {
    expect(attests.length).toBe(2);
    for (const step of attests) expect(step.uses).toMatch(/^actions\/attest@[0-9a-f]{40}$/);
    expect(drill.permissions).toMatchObject({ 'id-token': 'write', attestations: 'write' });
  });

  it("each run's result.json, whatever the drill's outcome", () => {
    const results = attests.find((s) => s.with?.['subject-path'] === 'out/runs/*/result.json');
    expect(results?.if).toMatch(/always\(\)/);
  });

  it('the compliance records this job ingested, after the ingest step', () => {
    const ingest = drill.steps.findIndex((s) => s.id === 'ingest');
    expect(drill.steps[ingest]?.run).toMatch(/records<<RECORDS_EOF[\s\S]*>> "\$GITHUB_OUTPUT"/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expression, not a JS template
    const records = attests.find((s) => s.with?.['subject-path'] === '${{ steps.ingest.outputs.records }}');
    expect(records?.if).toMatch(/always\(\) && steps\.ingest\.outputs\.records != ''/);
    expect(drill.steps.indexOf(records as Step)).toBeGreaterThan(ingest);
    // Before the history is pushed: a record is signed by the job that wrote it.
    const push = drill.steps.findIndex((s) => s.name === 'Push the compliance history');
    expect(drill.steps.indexOf(records as Step)).toBeLessThan(push);
  });
});
