import { describe, expect, it } from 'vitest';
import { DurationError } from '../duration.ts';
import { describeValue, joinPath, redactCredentials } from './describe.ts';
import { DURATION_EXPECTED } from './fields.ts';
import { slugify, stepIdOf } from './slug.ts';
import { didYouMean, editDistance } from './suggest.ts';

describe('editDistance / didYouMean', () => {
  it('counts edits', () => {
    expect(editDistance('failover', 'failover')).toBe(0);
    expect(editDistance('failvoer', 'failover')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests a close known name, preferring the closest', () => {
    expect(didYouMean('failvoer', ['fault', 'failover'])).toBe('failover');
    expect(didYouMean('Recovery', ['recovery'])).toBe('recovery');
    expect(didYouMean('rpi', ['rto', 'rpo'])).toBe('rpo');
    expect(didYouMean('colour', ['name', 'summary'])).toBeUndefined();
    expect(didYouMean('meta', ['title', 'run', 'id'])).toBeUndefined();
    expect(didYouMean('nmae', ['description', 'name'])).toBe('name');
    expect(didYouMean('x', ['id'])).toBeUndefined();
  });
});

describe('describeValue / joinPath / redactCredentials', () => {
  it('shows values the way messages need them', () => {
    expect(describeValue('five')).toBe('"five"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(3)).toBe('3');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(10n)).toBe('10n');
  });
  it('uses the wording of DurationError for strings', () => {
    expect(`expected ${DURATION_EXPECTED}, got ${describeValue('five')}`).toBe(
      new DurationError('five').message,
    );
  });
  it('hides URL credentials', () => {
    expect(redactCredentials('postgres://app:s3cret@db:5432/x and http://u@h')).toBe(
      'postgres://***@db:5432/x and http://***@h',
    );
    expect(describeValue('postgres://app:s3cret@db/x')).toBe('"postgres://***@db/x"');
  });
  it('builds paths', () => {
    expect(joinPath('', 'failover')).toBe('failover');
    expect(joinPath('failover', 2)).toBe('failover[2]');
    expect(joinPath('failover[2]', 'run')).toBe('failover[2].run');
    expect(joinPath('kube.contexts', 'eu west')).toBe('kube.contexts["eu west"]');
  });
});

describe('slugify / stepIdOf', () => {
  it('derives step ids from titles', () => {
    expect(slugify('Fail over the global cluster')).toBe('fail-over-the-global-cluster');
    expect(slugify('Point DATABASE_URL at the new writer')).toBe('point-database-url-at-the-new-writer');
    expect(slugify('Vérifier la réplication (§6.1)')).toBe('verifier-la-replication-6-1');
    expect(slugify('§!')).toBe('');
  });
  it('prefers the explicit id', () => {
    expect(stepIdOf({ id: 'promote', title: 'Promote the secondary' })).toBe('promote');
    expect(stepIdOf({ title: 'Promote the secondary' })).toBe('promote-the-secondary');
  });
});
