import { describe, expect, it } from 'vitest';
import { encodePng } from './png.ts';
import { renderSandboxImage } from './sandbox.ts';
import { decodeRgbPng, upscale2x } from './upscale.ts';

describe('upscale2x', () => {
  it('turns each pixel into a 2×2 block', () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 0, 0, 255]));
    const up = decodeRgbPng(upscale2x(png));
    expect([up.width, up.height]).toEqual([4, 2]);
    const red = [255, 0, 0];
    const blue = [0, 0, 255];
    expect([...up.rgb]).toEqual([...red, ...red, ...blue, ...blue, ...red, ...red, ...blue, ...blue]);
  });

  it('doubles a sandbox render to 128×128 and keeps its pixels', () => {
    const source = renderSandboxImage('a fox');
    const up = decodeRgbPng(upscale2x(source));
    const src = decodeRgbPng(source);
    expect([up.width, up.height]).toEqual([128, 128]);
    expect([...up.rgb.subarray((127 * 128 + 127) * 3, (127 * 128 + 128) * 3)]).toEqual([
      ...src.rgb.subarray((63 * 64 + 63) * 3, (63 * 64 + 64) * 3),
    ]);
  });

  it('says what is wrong with a source that is not a PNG', () => {
    expect(() => upscale2x(Buffer.from('GIF89a not a png'))).toThrow(
      'the source image is not a PNG (bad signature)',
    );
  });
});
