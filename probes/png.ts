// A strict PNG check for render results: signature, IHDR first and well-formed, every chunk's CRC, IDAT, IEND last.
import { crc32 } from 'node:zlib';

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  chunks: number;
}

export type PngCheck = { ok: true; info: PngInfo } | { ok: false; problem: string };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Allowed bit depths per colour type (PNG spec, table 11.1).
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Validates `bytes` as a PNG; the problem names the first thing wrong and where. */
export function checkPng(bytes: Uint8Array): PngCheck {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < SIGNATURE.length || !buf.subarray(0, 8).equals(SIGNATURE)) {
    return {
      ok: false,
      problem: `not a PNG: the first 8 bytes are ${buf.subarray(0, 8).toString('hex') || 'missing'}`,
    };
  }
  let offset = 8;
  let chunks = 0;
  let info: PngInfo | undefined;
  let sawIdat = false;
  while (offset < buf.length) {
    if (offset + 8 > buf.length) return { ok: false, problem: `truncated chunk header at byte ${offset}` };
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > buf.length)
      return { ok: false, problem: `chunk ${type} at byte ${offset} runs past the end of the file` };
    const expected = buf.readUInt32BE(end - 4);
    const actual = crc32(buf.subarray(offset + 4, end - 4));
    if (expected !== actual) {
      return {
        ok: false,
        problem: `chunk ${type} at byte ${offset} has CRC ${hex(expected)}, computed ${hex(actual)}`,
      };
    }
    if (chunks === 0) {
      if (type !== 'IHDR') return { ok: false, problem: `the first chunk is ${type}, expected IHDR` };
      const ihdr = readIhdr(buf.subarray(offset + 8, end - 4));
      if (typeof ihdr === 'string') return { ok: false, problem: ihdr };
      info = { ...ihdr, chunks: 0 };
    }
    chunks++;
    if (type === 'IDAT') sawIdat = true;
    offset = end;
    if (type === 'IEND') {
      if (offset !== buf.length) return { ok: false, problem: `${buf.length - offset} bytes after IEND` };
      if (!sawIdat) return { ok: false, problem: 'no IDAT chunk: the image has no pixel data' };
      return { ok: true, info: { ...info!, chunks } };
    }
  }
  return { ok: false, problem: 'no IEND chunk: the file is truncated' };
}

function readIhdr(data: Buffer): Omit<PngInfo, 'chunks'> | string {
  if (data.length !== 13) return `IHDR is ${data.length} bytes, expected 13`;
  const width = data.readUInt32BE(0);
  const height = data.readUInt32BE(4);
  const bitDepth = data[8]!;
  const colorType = data[9]!;
  if (width === 0 || height === 0) return `IHDR gives an empty image (${width}x${height})`;
  if (!DEPTHS[colorType]?.includes(bitDepth))
    return `IHDR has bit depth ${bitDepth} with colour type ${colorType}, which PNG does not allow`;
  return { width, height, bitDepth, colorType };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
