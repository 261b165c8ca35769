import { inflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { encodePng, PNG_SIGNATURE } from './png.ts';
import { RENDER_SIZE, renderSandboxImage } from './sandbox.ts';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

/** Splits a PNG into chunks, checking each CRC with zlib's own CRC-32 (independent of ours). */
function readChunks(png: Buffer): Chunk[] {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const crc = png.readUInt32BE(at + 8 + length);
    expect(crc, `CRC of ${type}`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data, crc });
    at += 12 + length;
  }
  return chunks;
}

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
    const bytes = Buffer.from('luneo sandbox render');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });
});

describe('encodePng', () => {
  it('writes signature, IHDR, IDAT, IEND with valid CRCs and the pixels it was given', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const png = encodePng(3, 2, rgb);
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]!.data;
    expect([
      ihdr.readUInt32BE(0),
      ihdr.readUInt32BE(4),
      ihdr[8],
      ihdr[9],
      ihdr[10],
      ihdr[11],
      ihdr[12],
    ]).toEqual([3, 2, 8, 2, 0, 0, 0]);
    expect(chunks[2]).toEqual({ type: 'IEND', data: Buffer.alloc(0), crc: 0xae426082 });
    const raw = inflateSync(chunks[1]!.data);
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('refuses a pixel buffer that does not match the size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow('expected 12 RGB bytes for 2x2, got 11');
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow('PNG size must be positive integers, got 0x2');
  });
});

describe('renderSandboxImage', () => {
  it('draws a 64x64 RGB PNG that depends only on the prompt', () => {
    const png = renderSandboxImage('a fox on a mug');
    const chunks = readChunks(png);
    const ihdr = chunks[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([RENDER_SIZE, RENDER_SIZE]);
    expect(inflateSync(chunks[1]!.data).length).toBe(RENDER_SIZE * (RENDER_SIZE * 3 + 1));
    expect(renderSandboxImage('a fox on a mug')).toEqual(png);
    expect(renderSandboxImage('a cat on a mug')).not.toEqual(png);
  });
});
