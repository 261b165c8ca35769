// Test helper: a PDF looked at page by page as a reader sees it, with poppler-utils (Debian's pdftoppm, pdftotext,
// pdfinfo; scripts/setup.sh installs them): each page as an RGB image and as the text laid out on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PageImage {
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row by row. */
  rgb: Buffer;
}

/** Each page rendered at `dpi` (pdftoppm -r), parsed from its binary PPM (P6). */
export function renderPages(pdf: string, dpi = 50): PageImage[] {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-pages-'));
  try {
    execFileSync('pdftoppm', ['-r', String(dpi), pdf, join(dir, 'page')]);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ppm'))
      .map((f) => ({ file: f, page: Number(/-(\d+)\.ppm$/.exec(f)?.[1]) }))
      .sort((a, b) => a.page - b.page)
      .map(({ file, page }) => ({ page, ...parsePpm(readFileSync(join(dir, file))) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parsePpm(data: Buffer): Omit<PageImage, 'page'> {
  // "P6\n<width> <height>\n<maxval>\n" then the pixels.
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(data[at] as number))) at += 1;
    const start = at;
    while (!/\s/.test(String.fromCharCode(data[at] as number))) at += 1;
    fields.push(data.subarray(start, at).toString('latin1'));
  }
  const [magic, width, height, maxval] = fields;
  if (magic !== 'P6' || maxval !== '255') throw new Error(`not an 8-bit binary PPM: ${fields.join(' ')}`);
  return { width: Number(width), height: Number(height), rgb: data.subarray(at + 1) };
}

/** The fraction of pixels that are not (near) white: 0 for a blank page. */
export function inkFraction(image: PageImage): number {
  let ink = 0;
  for (let i = 0; i < image.rgb.length; i += 3) {
    if ((image.rgb[i] as number) + (image.rgb[i + 1] as number) + (image.rgb[i + 2] as number) < 720)
      ink += 1;
  }
  return ink / (image.width * image.height);
}

/** Pixels within `tolerance` (per channel) of the colour `#rrggbb`. */
export function pixelsOf(image: PageImage, hex: string, tolerance = 40): number {
  const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.rgb.length; i += 3) {
    if (want.every((c, k) => Math.abs((image.rgb[i + k] as number) - c) <= tolerance)) count += 1;
  }
  return count;
}

/** The text of one page as laid out (pdftotext -layout). */
export function pageText(pdf: string, page: number): string {
  return execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'], {
    encoding: 'utf8',
  });
}

/** "595.28 x 841.89 pts (A4)" and the page count, from pdfinfo. */
export function pdfInfo(pdf: string): { pages: number; pageSize: string } {
  const out = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  return {
    pages: Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]),
    pageSize: /^Page size:\s+(.+)$/m.exec(out)?.[1]?.trim() ?? '',
  };
}
