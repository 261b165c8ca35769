// Probe samples as run attachments: JSON for tools, CSV for spreadsheets.
import type { ProbeSample } from '../core/measure/index.ts';
import type { Attachment, RunContext } from '../core/model.ts';
import { safeText } from './resolve.ts';

/** probe,at_ms,ok,latency_ms,detail (detail quoted, secrets masked). */
export function samplesCsv(samples: ProbeSample[]): string {
  const lines = ['probe,at_ms,ok,latency_ms,detail'];
  for (const s of samples) {
    lines.push(
      [csvField(s.probe), s.at.toFixed(1), s.ok, s.latencyMs ?? '', csvField(safeText(s.detail ?? ''))].join(
        ',',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Attaches `<name>.json` and `<name>.csv`. */
export async function attachSamples<R>(
  ctx: RunContext<R>,
  name: string,
  samples: ProbeSample[],
): Promise<Attachment[]> {
  const safe = samples.map((s) => (s.detail === undefined ? s : { ...s, detail: safeText(s.detail) }));
  return [
    await ctx.attach(`${name}.json`, 'application/json', JSON.stringify(safe, null, 2)),
    await ctx.attach(`${name}.csv`, 'text/csv', samplesCsv(safe)),
  ];
}
