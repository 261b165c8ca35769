import { describe, expect, it } from 'vitest';
import { canonicalJson, invalidNameMessage, podTemplateHash, randomSuffix } from './names.ts';

describe('names', () => {
  it('hashes a pod template independently of key order, and differently when it changes', () => {
    const a = {
      metadata: { labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', command: ['node'] }] },
    };
    const b = {
      spec: { containers: [{ command: ['node'], name: 'c' }] },
      metadata: { labels: { app: 'x' } },
    };
    expect(podTemplateHash(a)).toBe(podTemplateHash(b));
    expect(podTemplateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const restarted = {
      ...a,
      metadata: { ...a.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } },
    };
    expect(podTemplateHash(restarted)).not.toBe(podTemplateHash(a));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('makes 5-character suffixes from the safe alphabet', () => {
    expect(randomSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('checks DNS-1123 subdomain names', () => {
    expect(invalidNameMessage('luneo-api')).toBeUndefined();
    expect(invalidNameMessage('Luneo_API')).toMatch(
      /^Invalid value: "Luneo_API": a lowercase RFC 1123 subdomain/,
    );
  });
});

describe('podTemplateHash after a Go round trip', () => {
  it('ignores null, {} and [] fields, as kubectl rollout undo adds them', () => {
    const original = {
      metadata: { labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', command: ['node'] }] },
    };
    const roundTripped = {
      metadata: { creationTimestamp: null, labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', command: ['node'], resources: {} }], volumes: [] },
    };
    expect(podTemplateHash(roundTripped)).toBe(podTemplateHash(original));
  });
});
