import { describe, expect, it } from 'vitest';
import { parseFieldSelector, parseLabelSelector, selectorMatches, selectorToString } from './selectors.ts';
import type { KubeObject } from './types.ts';

const pod = (name: string, labels: Record<string, string>, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels },
  status: { phase },
});

describe('label selectors', () => {
  const pods = [pod('a', { app: 'api', tier: 'web' }), pod('b', { app: 'worker' }), pod('c', { app: 'api' })];
  const names = (selector: string) => pods.filter(parseLabelSelector(selector)).map((p) => p.metadata.name);

  it('supports =, ==, !=, in, notin, exists and !exists', () => {
    expect(names('app=api')).toEqual(['a', 'c']);
    expect(names('app==api,tier')).toEqual(['a']);
    expect(names('app!=api')).toEqual(['b']);
    expect(names('app in (worker, x)')).toEqual(['b']);
    expect(names('app notin (worker),!tier')).toEqual(['c']);
    expect(names('')).toEqual(['a', 'b', 'c']);
  });

  it('rejects what it cannot parse with a 400', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow("unable to parse requirement: found 'app=(x'");
  });

  it('matches LabelSelector objects and prints them as kubectl does', () => {
    const selector = {
      matchLabels: { app: 'api' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }],
    };
    expect(selectorMatches(selector, { app: 'api', tier: 'web' })).toBe(true);
    expect(selectorMatches(selector, { app: 'api' })).toBe(false);
    expect(selectorToString(selector)).toBe('app=api,tier in (web)');
  });
});

describe('field selectors', () => {
  it('compares any dotted path', () => {
    const match = parseFieldSelector('metadata.name=a,status.phase!=Pending');
    expect(match(pod('a', {}))).toBe(true);
    expect(match(pod('a', {}, 'Pending'))).toBe(false);
    expect(match(pod('b', {}))).toBe(false);
  });
});
