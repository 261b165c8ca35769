// The run's own copy of its console output (out/runs/<run-id>/console.log): written synchronously, line by line,
// as plain text (a live status line redrawn with \r and ANSI codes leaves only the lines it was redrawn over).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';

export const CONSOLE_LOG_FILE = 'console.log';

/** Output written before the run's directory is known is kept (up to this many characters) and written first. */
const EARLY_LIMIT_CHARS = 256 * 1024;

/** A terminal line as it ends up on screen: what follows its last carriage return, without escape codes. */
export function plainLine(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return stripVTControlCharacters(text.slice(text.lastIndexOf('\r') + 1));
}

export class ConsoleLog {
  #fd: number | undefined;
  #path: string | undefined;
  #early = '';
  #partial = '';
  #failure: string | undefined;
  readonly #decoder = new StringDecoder('utf8');

  /** The file written to, once attached. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Why the file is no longer written (e.g. ENOSPC), if it is not. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Appends to `path` from now on, starting with what was written before (a later run's log replaces it). */
  attach(path: string): void {
    this.#close();
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#fd = openSync(path, 'a');
      this.#path = path;
      this.#failure = undefined;
    } catch (error) {
      this.#failure = `cannot open ${path}: ${codeOf(error)}`;
      return;
    }
    const early = this.#early;
    this.#early = '';
    this.#writeText(early);
  }

  append(chunk: string | Uint8Array): void {
    const text = this.#partial + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const end = text.lastIndexOf('\n');
    this.#partial = text.slice(end + 1);
    if (end < 0) return;
    const lines = text.slice(0, end).split('\n').map(plainLine);
    if (this.#fd === undefined) {
      // Not attached yet (kept for the file), or the file failed (dropped).
      if (this.#path === undefined && this.#early.length < EARLY_LIMIT_CHARS)
        this.#early += `${lines.join('\n')}\n`;
      return;
    }
    this.#writeText(`${lines.join('\n')}\n`);
  }

  /** Writes an unfinished last line (at exit). */
  flush(): void {
    if (this.#partial) this.append('\n');
  }

  #writeText(text: string): void {
    if (this.#fd === undefined || text === '') return;
    try {
      writeSync(this.#fd, text);
    } catch (error) {
      // A full disk or a lost volume: the run goes on without its log, as it goes on without its terminal.
      this.#failure = `${this.#path}: ${codeOf(error)}`;
      this.#close();
    }
  }

  #close(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {}
    this.#fd = undefined;
  }
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : String(error);
}
