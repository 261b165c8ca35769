// What every bench/*.bench.ts module returns: `export default async function (): Promise<BenchResult[]>`.

export interface BenchResult {
  /** e.g. "lab boot median". */
  name: string;
  value: number;
  /** e.g. "ms", "req/s", "ratio". */
  unit: string;
  /** The value to meet, in `unit`. */
  target?: number;
  /** Whether a lower value is better (default) or a higher one; used to judge `target` when `ok` is absent. */
  better?: 'lower' | 'higher';
  /** Whether the target is met; computed from `target` and `better` when omitted. */
  ok?: boolean;
  /** Free text, e.g. the individual samples. */
  note?: string;
}

export type BenchModule = { default: () => Promise<BenchResult[]> };

/** `ok` as given, else judged against `target`, else undefined (nothing to judge). */
export function judge(result: BenchResult): boolean | undefined {
  if (result.ok !== undefined) return result.ok;
  if (result.target === undefined) return undefined;
  return result.better === 'higher' ? result.value >= result.target : result.value <= result.target;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
