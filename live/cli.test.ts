// `pnpm drill show <run-id> --serve | --open`: a finished run's page from its files, with the URL printed.
import { describe, expect, it } from 'vitest';
import { openInBrowser, serveFinishedRun } from './cli.ts';

const RUN_DIR = new URL('./fixtures/aurora-outage', import.meta.url).pathname;

describe('drill show --serve', () => {
  it('prints the URL of a page that replays the whole run, until stopped', async () => {
    const lines: string[] = [];
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const serving = serveFinishedRun(RUN_DIR, { until: stopped }, (line) => lines.push(line));
    await expect.poll(() => lines.length).toBe(1);
    const url = lines[0]?.match(/(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22}\/)/)?.[1] ?? '';
    expect((await fetch(url)).status).toBe(200);
    stop();
    await serving;
    await expect(fetch(url)).rejects.toThrow();
  });

  it('--open says to open the URL by hand where there is no display', () => {
    expect(openInBrowser('http://127.0.0.1:1/x/', {})).toBe(
      'no display here: open the URL above in a browser',
    );
  });
});
