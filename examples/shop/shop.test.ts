// The example app is found through DRILL_APPS like any team's own folder, next to the repository's scenarios.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModule, resolveModule, scenarioCatalogue } from '../../core/registry.ts';

const APP = 'examples/shop';
const before = process.env.DRILL_APPS;
afterEach(() => {
  if (before === undefined) delete process.env.DRILL_APPS;
  else process.env.DRILL_APPS = before;
});

describe('an app folder named by DRILL_APPS', () => {
  it('lists its scenarios with the repository’s and resolves its targets', () => {
    process.env.DRILL_APPS = APP;
    expect(scenarioCatalogue()).toContainEqual({
      name: 'shop-outage',
      file: 'examples/shop/scenarios/shop-outage.ts',
      summary: "The example shop's eu-west-1 region goes dark: move traffic to us-east-1 (docs/authoring.md)",
    });
    expect(scenarioCatalogue().map((e) => e.name)).toContain('aurora-outage');
    expect(resolveModule('target', 'shop-local')).toBe('examples/shop/targets/shop-local.ts');
  });

  it('is not searched without DRILL_APPS', () => {
    delete process.env.DRILL_APPS;
    expect(() => resolveModule('scenario', 'shop-outage')).toThrow('unknown scenario "shop-outage"');
  });

  it('loads its scenario, which imports only the public entry point (package `drill`)', async () => {
    process.env.DRILL_APPS = APP;
    const { value } = await loadModule('scenario', 'shop-outage');
    expect(value).toMatchObject({ name: 'shop-outage', defaultTarget: 'shop-local' });
    // A hang guard: importing the whole public API under tsx took 5-7 s at rest and over 10 s at load 40.
  }, 60_000);

  it('refuses a name the repository already has, naming both files', () => {
    const app = mkdtempSync(join(tmpdir(), 'drill-app-'));
    mkdirSync(join(app, 'scenarios'));
    writeFileSync(join(app, 'scenarios', 'self-test.ts'), "export default { summary: 'twin' };\n");
    process.env.DRILL_APPS = app;
    expect(() => scenarioCatalogue()).toThrow(
      /scenario "self-test" is defined twice: apps\/self-test\/scenarios\/self-test\.ts and /,
    );
  });
});
