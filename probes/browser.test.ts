import { describe, expect, it } from 'vitest';
import { findBrowser, launchArgs } from './browser.ts';

describe('findBrowser', () => {
  const none = () => false;
  it('uses DRILL_BROWSER when set, and only it', () => {
    expect(
      findBrowser({ env: { DRILL_BROWSER: '/opt/chrome' }, isExecutable: (p) => p === '/opt/chrome' }),
    ).toEqual({
      path: '/opt/chrome',
      looked: ['DRILL_BROWSER=/opt/chrome'],
    });
    expect(
      findBrowser({ env: { DRILL_BROWSER: '/opt/none' }, isExecutable: (p) => p === '/usr/bin/chromium' }),
    ).toEqual({
      path: null,
      looked: ['DRILL_BROWSER=/opt/none'],
    });
  });

  it('prefers the system Chromium', () => {
    const found = findBrowser({ env: {}, isExecutable: (p) => p === '/usr/bin/chromium-browser' });
    expect(found).toEqual({
      path: '/usr/bin/chromium-browser',
      looked: ['/usr/bin/chromium', '/usr/bin/chromium-browser'],
    });
  });

  it('falls back to the newest browser Playwright installed', () => {
    const found = findBrowser({
      env: { PLAYWRIGHT_BROWSERS_PATH: '/pw' },
      isExecutable: (p) =>
        p === '/pw/chromium-1100/chrome-linux/chrome' || p === '/pw/chromium-1200/chrome-linux64/chrome',
      list: (dir) => (dir === '/pw' ? ['ffmpeg-1009', 'chromium-1100', 'chromium-1200'] : []),
    });
    expect(found.path).toBe('/pw/chromium-1200/chrome-linux64/chrome');
  });

  it('lists everywhere it looked when there is none', () => {
    expect(findBrowser({ env: { HOME: '/home/ci' }, isExecutable: none, list: () => [] })).toEqual({
      path: null,
      looked: [
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/home/ci/.cache/ms-playwright/chromium-*',
      ],
    });
  });
});

describe('launchArgs', () => {
  it('adds --no-sandbox only as root, and the closed-network flags always', () => {
    expect(launchArgs(true)[0]).toBe('--no-sandbox');
    expect(launchArgs(false)).toEqual([
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ]);
  });
});
