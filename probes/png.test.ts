import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../lab/app/render/png.ts';
import { checkPng } from './png.ts';

const image = () => encodePng(3, 2, new Uint8Array(3 * 2 * 3).fill(200));

describe('checkPng', () => {
  it('accepts a well-formed PNG and reads its header', () => {
    expect(checkPng(image())).toEqual({
      ok: true,
      info: { width: 3, height: 2, bitDepth: 8, colorType: 2, chunks: 3 },
    });
  });

  it('rejects a body that is not a PNG', () => {
    expect(checkPng(Buffer.from('{"error":"render_not_ready"}'))).toEqual({
      ok: false,
      problem: 'not a PNG: the first 8 bytes are 7b226572726f7222',
    });
    expect(checkPng(new Uint8Array())).toEqual({
      ok: false,
      problem: 'not a PNG: the first 8 bytes are missing',
    });
  });

  it('names the chunk whose CRC does not match', () => {
    const bad = Buffer.from(image());
    bad.writeUInt8(bad.readUInt8(8 + 8 + 4) ^ 0xff, 8 + 8 + 4); // a byte of IHDR's height
    const result = checkPng(bad);
    expect(result.ok).toBe(false);
    expect((result as { problem: string }).problem).toMatch(
      /^chunk IHDR at byte 8 has CRC 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$/,
    );
  });

  it('rejects a truncated file and trailing bytes', () => {
    const full = image();
    expect(checkPng(full.subarray(0, full.length - 12))).toEqual({
      ok: false,
      problem: 'no IEND chunk: the file is truncated',
    });
    expect(checkPng(full.subarray(0, full.length - 2))).toEqual({
      ok: false,
      problem: `chunk IEND at byte ${full.length - 12} runs past the end of the file`,
    });
    expect(checkPng(full.subarray(0, full.length - 5))).toEqual({
      ok: false,
      problem: `truncated chunk header at byte ${full.length - 12}`,
    });
    expect(checkPng(Buffer.concat([full, Buffer.from([0])]))).toEqual({
      ok: false,
      problem: '1 bytes after IEND',
    });
  });

  it('requires IHDR first, a valid bit depth and pixel data', () => {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const out = Buffer.alloc(4 + body.length + 4);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(crc32(body), 4 + body.length);
      return out;
    };
    const sig = image().subarray(0, 8);
    const ihdr = (depth: number, color: number) => {
      const d = Buffer.alloc(13);
      d.writeUInt32BE(1, 0);
      d.writeUInt32BE(1, 4);
      d[8] = depth;
      d[9] = color;
      return chunk('IHDR', d);
    };
    const iend = chunk('IEND', Buffer.alloc(0));
    expect(checkPng(Buffer.concat([sig, iend]))).toEqual({
      ok: false,
      problem: 'the first chunk is IEND, expected IHDR',
    });
    expect(checkPng(Buffer.concat([sig, ihdr(3, 2), iend]))).toEqual({
      ok: false,
      problem: 'IHDR has bit depth 3 with colour type 2, which PNG does not allow',
    });
    expect(checkPng(Buffer.concat([sig, ihdr(8, 2), iend]))).toEqual({
      ok: false,
      problem: 'no IDAT chunk: the image has no pixel data',
    });
  });
});
