import { describe, expect, it } from 'vitest';
import { stripAnalytics } from './build.ts';

// The tail of index.html as allure awesome 3.18.0 writes it (plugin-awesome's template, analyticsEnable: true).
const PAGE = `<div id="app"></div>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', {
          "report": "awesome",
          "allureVersion": "3.18.0",
          "reportUuid": "17710bb4",
          "single_file": "true"
        });
    </script>
    <script>window.allureReportData = {}</script>
</body>`;

describe('stripAnalytics', () => {
  it('removes the Google Analytics scripts and keeps the report data', () => {
    expect(stripAnalytics(PAGE)).toBe(`<div id="app"></div>
    <script>window.allureReportData = {}</script>
</body>`);
  });

  it('refuses a page that would still load a remote script', () => {
    expect(() => stripAnalytics('<script src="https://cdn.example/x.js"></script>')).toThrow(
      'the Allure report loads a remote script: <script src="https://cdn.example/x.js"',
    );
  });
});
