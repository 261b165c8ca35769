import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from './facts.ts';
import { escapeXml, timelineSvg } from './timeline-svg.ts';

const { result } = loadRun(join(import.meta.dirname, 'fixtures', 'aurora-outage'));
const svg = timelineSvg(result);
const count = (pattern: RegExp) => svg.match(pattern)?.length ?? 0;

describe('timeline chart (SVG) of a real aurora-outage run', () => {
  it('draws every recovery sample, coloured by its result', () => {
    expect(count(/class="sample ok"/g)).toBe(34);
    expect(count(/class="sample fail"/g)).toBe(35);
    expect(svg).toContain('<title>health FAIL at T0+128ms: GET http://127.0.0.1:35681/health returned 503');
  });

  it('draws every step and, for the 10 steps with a §13 offset, where it was planned', () => {
    expect(count(/class="step ok"/g)).toBe(13);
    expect(count(/class="planned"/g)).toBe(10);
    expect(svg).toContain(
      '<title>Fail over the global cluster to secondary (FailoverGlobalCluster, AllowDataLoss): ok, T0+7.7s → T0+9.1s (1.4s)</title>',
    );
    expect(svg).toContain('<title>planned by T0+5m 00s</title>');
  });

  it('shades the outage window from the first failing sample to recovery, and marks the RTO objective', () => {
    expect(svg).toContain('<title>outage T0+128ms → recovered at T0+28.1s (RTO 28.1s)</title>');
    expect(svg).toContain('>RTO objective 30m 00s</text>');
    expect(svg).toContain('>recovered T0+28.1s</text>');
  });

  it('is a standalone SVG with no script or external reference', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href=|<image/);
  });

  it('draws nothing for a run that never injected its fault', () => {
    expect(timelineSvg({ ...result, t0: null })).toBe('');
  });

  it('escapes text for XML', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  });
});
