// Follows a run's events.jsonl as it grows: complete lines only (a line being written is held until its newline),
// numbered from 1, each kept as its JSON text. The file may not exist yet (the engine creates it when the run starts).
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export class EventTail {
  readonly lines: string[] = [];
  #offset = 0;
  #partial = '';
  // A character split across two reads is decoded whole.
  readonly #decoder = new StringDecoder('utf8');
  #reading: Promise<boolean> | undefined;

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call; true when new lines arrived. One read at a time. */
  poll(): Promise<boolean> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #read(): Promise<boolean> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return false; // not created yet
    }
    if (size <= this.#offset) return false;
    const handle = await open(this.file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - this.#offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset);
      this.#offset += bytesRead;
      text = this.#partial + this.#decoder.write(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
    const end = text.lastIndexOf('\n');
    this.#partial = text.slice(end + 1);
    if (end < 0) return false;
    const before = this.lines.length;
    for (const line of text.slice(0, end).split('\n')) {
      // Only well-formed events are numbered: a torn line (the writer died mid-write) is never an event.
      if (line.trim() !== '' && isJsonObject(line)) this.lines.push(line);
    }
    return this.lines.length > before;
  }
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
