import { createHash } from 'node:crypto';
import { encodePng } from './png.ts';

export const RENDER_SIZE = 64;

/**
 * The sandbox "AI render": a deterministic 64×64 picture drawn from the prompt's SHA-256
 * (a two-colour gradient, diagonal stripes and a disc), so equal prompts give equal images.
 */
export function renderSandboxImage(prompt: string, size = RENDER_SIZE): Buffer {
  const h = createHash('sha256').update(prompt).digest();
  const from = [h[0]!, h[1]!, h[2]!];
  const to = [h[3]!, h[4]!, h[5]!];
  const disc = [h[6]!, h[7]!, h[8]!];
  const cx = (h[9]! / 255) * size;
  const cy = (h[10]! / 255) * size;
  const radius = size / 8 + (h[11]! / 255) * (size / 4);
  const stripe = 4 + (h[12]! % 8);
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * (size - 1));
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
      const shade = Math.floor((x + y) / stripe) % 2 === 0 ? 1 : 0.85;
      for (let c = 0; c < 3; c++) {
        const base = inDisc ? disc[c]! : (from[c]! * (1 - t) + to[c]! * t) * shade;
        pixels[(y * size + x) * 3 + c] = Math.round(base);
      }
    }
  }
  return encodePng(size, size, pixels);
}
