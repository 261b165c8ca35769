// Telemetry problems are told once each, as a warning line, redacted; they never reach the drill's verdict.
import type { Redactor } from '../redact.ts';

export type WarnLine = (line: string) => void;

export const stderrLine: WarnLine = (line) => {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // a closed stderr must not break a drill
  }
};

export class WarnOnce {
  readonly #told = new Set<string>();
  constructor(
    private readonly write: WarnLine = stderrLine,
    private readonly redactor?: Redactor,
  ) {}

  /** Prints `⚠ <what>: <detail>` the first time `what` goes wrong. */
  warn(what: string, detail: string): void {
    if (this.#told.has(what)) return;
    this.#told.add(what);
    const line = `⚠ ${what}: ${detail}`;
    this.write(this.redactor ? this.redactor.redactText(line) : line);
  }
}

/** An error's message and its cause's code (fetch hides ECONNREFUSED there), never its URL-bearing stack. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
