import { describe, expect, it } from 'vitest';
import { resolveModule, scenarioCatalogue, targetNames } from './registry.ts';

describe('registry', () => {
  it('reads scenario summaries from the source, without importing them', () => {
    const selfTest = scenarioCatalogue().find((e) => e.name === 'self-test');
    expect(selfTest).toEqual({
      name: 'self-test',
      file: 'apps/self-test/scenarios/self-test.ts',
      summary: 'Self-test on the in-memory platform: outage, failover, recovery, verification, rollback',
    });
  });

  it('finds targets and suggests the nearest name for a typo', () => {
    expect(targetNames()).toContain('memory');
    expect(resolveModule('target', 'memory')).toBe('apps/self-test/targets/memory.ts');
    expect(() => resolveModule('scenario', 'self-tset')).toThrow(
      'unknown scenario "self-tset": did you mean "self-test"?',
    );
  });
});
