// The sandbox "upscale": decodes one of our own PNGs (8-bit RGB, filter None, as encodePng writes) and doubles it
// with nearest-neighbour pixels, so the result is exactly predictable.
import { inflateSync } from 'node:zlib';
import { AppError } from '../errors.ts';
import { encodePng, PNG_SIGNATURE } from './png.ts';

export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Reads an 8-bit RGB, non-interlaced PNG whose scanlines use filter type 0 (what encodePng writes). */
export function decodeRgbPng(png: Buffer): RgbImage {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new AppError('PNG_UNREADABLE', 'the source image is not a PNG (bad signature)');
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 2 || data[12] !== 0)
        throw new AppError('PNG_UNREADABLE', 'the source image is not an 8-bit RGB non-interlaced PNG');
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  if (width < 1 || raw.length !== (stride + 1) * height)
    throw new AppError(
      'PNG_UNREADABLE',
      `the source image data does not match its ${width}x${height} header`,
    );
  const rgb = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0)
      throw new AppError(
        'PNG_UNREADABLE',
        `scanline ${y} uses PNG filter ${raw[y * (stride + 1)]}; only 0 is read`,
      );
    rgb.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, rgb };
}

/** 2× nearest-neighbour upscale of one of our PNGs: every pixel becomes a 2×2 block. */
export function upscale2x(png: Buffer): Buffer {
  const { width, height, rgb } = decodeRgbPng(png);
  const w2 = width * 2;
  const out = new Uint8Array(w2 * height * 2 * 3);
  for (let y = 0; y < height * 2; y++) {
    for (let x = 0; x < w2; x++) {
      const from = ((y >> 1) * width + (x >> 1)) * 3;
      out.set(rgb.subarray(from, from + 3), (y * w2 + x) * 3);
    }
  }
  return encodePng(w2, height * 2, out);
}
