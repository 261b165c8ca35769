import { describe, expect, it } from 'vitest';
import type { ObjectVersionInfo } from '../../../clients/aws/s3.ts';
import { testRun } from '../testing.ts';
import { backlogOf, describeBacklog, s3Buckets } from './s3.ts';

const v = (key: string, versionId: string, size: number, at: string): ObjectVersionInfo => ({
  key,
  versionId,
  size,
  lastModified: new Date(at),
  isLatest: true,
});
const buckets = { source: 'src', destination: 'dr' };

describe('S3 backlog', () => {
  it('is every source version the destination lacks, by key and version id, oldest first', () => {
    const source = [
      v('b', 'v2', 10, '2026-11-26T08:00:02Z'),
      v('b', 'v1', 7, '2026-11-26T08:00:01Z'),
      v('a', 'v9', 5, '2026-11-26T08:00:00Z'),
    ];
    // Same key, other version: still missing. Same id under another key: not a replica of it either.
    const destination = [v('b', 'v2', 10, '2026-11-26T08:00:02Z'), v('c', 'v1', 7, '2026-11-26T08:00:01Z')];
    const backlog = backlogOf(source, destination);
    expect(backlog.pending.map((p) => `${p.key}@${p.versionId}`)).toEqual(['a@v9', 'b@v1']);
    expect([backlog.count, backlog.bytes, backlog.sourceVersions]).toEqual([2, 12, 3]);
    expect(describeBacklog(backlog, buckets)).toBe(
      '2 S3 object versions (12 bytes) of 3 on src not yet on dr; oldest a (v9) written 2026-11-26T08:00:00.000Z',
    );
  });

  it('says so when nothing is missing', () => {
    const all = [v('a', 'v1', 1, '2026-11-26T08:00:00Z')];
    expect(describeBacklog(backlogOf(all, all), buckets)).toBe('all 1 object versions of src are on dr');
  });

  it('names the target binding to set when the target has no buckets', () => {
    const run = testRun({ s3: undefined });
    expect(() => s3Buckets(run)).toThrow(
      "target test: resources.s3 is not set (the replicated artifacts buckets, e.g. { primaryBucket: 'luneo-prod-artifacts', drBucket: 'luneo-prod-artifacts-dr' })",
    );
  });
});
