import { describe, expect, it } from 'vitest';
import { negotiate } from './negotiate.ts';
import { humanAge, toTable } from './table.ts';
import type { Pod } from './types.ts';

describe('humanAge', () => {
  it('prints ages as kubectl does', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    const ago = (s: number) => new Date(now - s * 1000).toISOString();
    expect([5, 119, 190, 600, 3 * 3600 + 60, 9 * 3600, 50 * 3600].map((s) => humanAge(ago(s), now))).toEqual([
      '5s',
      '119s',
      '3m10s',
      '10m',
      '3h1m',
      '9h',
      '2d',
    ]);
  });
});

describe('toTable', () => {
  it('prints a crash-looping pod with its restarts', () => {
    const now = Date.parse('2026-01-02T00:01:00Z');
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-x', creationTimestamp: '2026-01-02T00:00:00Z' },
      spec: { containers: [{ name: 'c' }], nodeName: 'n1' },
      status: {
        phase: 'Running',
        podIP: '127.0.0.1',
        containerStatuses: [
          {
            name: 'c',
            image: 'i',
            imageID: 'i',
            ready: false,
            started: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 3, reason: 'Error', finishedAt: '2026-01-02T00:00:50Z' } },
          },
        ],
      },
    };
    const table = toTable('Pod', [pod], '42', 'Metadata', now);
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(table.rows[0]!.cells.slice(0, 5)).toEqual([
      'api-x',
      '0/1',
      'CrashLoopBackOff',
      '3 (10s ago)',
      '60s',
    ]);
    expect(table.rows[0]!.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: pod.metadata,
    });
  });
});

describe('negotiate', () => {
  it('picks the first representation it serves from the Accept list', () => {
    expect(
      negotiate(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
    ).toBe('table');
    expect(negotiate('application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe('json');
    expect(negotiate('application/vnd.kubernetes.protobuf,application/json')).toBe('json');
    expect(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toBe('metadata');
    expect(negotiate('application/vnd.kubernetes.protobuf')).toBeUndefined();
    expect(negotiate(undefined)).toBe('json');
  });
});
