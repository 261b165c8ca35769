// One parser for every duration in scenarios, targets and the command line.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPOUND = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export class DurationError extends Error {
  readonly code = 'E_DURATION';
  constructor(readonly input: unknown) {
    super(`expected a duration like "5m", "300s" or "PT5M", got ${JSON.stringify(input)}`);
    this.name = 'DurationError';
  }
}

/** Milliseconds for "250ms", "5m", "1h30m", "PT5M", "P1DT2H"; throws DurationError otherwise. */
export function parseDuration(input: string): number {
  if (typeof input !== 'string') throw new DurationError(input);
  const text = input.trim();
  if (COMPOUND.test(text)) {
    let total = 0;
    for (const [, value, unit] of text.matchAll(PART)) total += Number(value) * UNIT_MS[unit as string]!;
    return Math.round(total);
  }
  const iso = ISO.exec(text);
  if (iso && text !== 'P' && text !== 'PT' && !text.endsWith('T')) {
    const [, d, h, m, s] = iso;
    return Math.round(
      Number(d ?? 0) * UNIT_MS.d! +
        Number(h ?? 0) * UNIT_MS.h! +
        Number(m ?? 0) * UNIT_MS.m! +
        Number(s ?? 0) * 1000,
    );
  }
  throw new DurationError(input);
}

export function isDuration(input: unknown): boolean {
  try {
    parseDuration(input as string);
    return true;
  } catch {
    return false;
  }
}

/** Human form: 0ms, 850ms, 12.3s, 4m 05s, 1h 02m. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)}s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.round((abs % 60_000) / 1000);
    return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  }
  const h = Math.floor(abs / 3_600_000);
  const m = Math.round((abs % 3_600_000) / 60_000);
  return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
}

/** ISO-8601 form for AWS (FIS wants PT30M): whole seconds, at least PT1S. */
export function toIsoDuration(ms: number): string {
  const total = Math.max(1, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}
