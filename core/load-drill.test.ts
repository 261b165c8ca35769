import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { loadDrill } from './load-drill.ts';

describe('loadDrill', () => {
  it('loads the self-test with its default target', async () => {
    const drill = await loadDrill('self-test', undefined);
    expect([drill.scenario.name, drill.target.name, drill.scenarioFile, drill.targetFile]).toEqual([
      'self-test',
      'memory',
      'apps/self-test/scenarios/self-test.ts',
      'apps/self-test/targets/memory.ts',
    ]);
  });

  it('reports an unknown target as a problem with the nearest name', async () => {
    const error = (await loadDrill('self-test', 'memroy').catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('--target: unknown target "memroy": did you mean "memory"?');
  });
});
