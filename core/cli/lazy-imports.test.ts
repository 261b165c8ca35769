// What `pnpm drill <scenario>` loads before it knows which path it takes: the CLI itself must not pull the
// in-process engine nor OpenTelemetry's exporters (seconds of start-up under tsx on a busy machine) when the drill
// runs in vitest's worker. Each module is noted by a resolve hook in a fresh node process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A resolve hook that prints every module URL resolved after it is registered.
const HOOKS = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process.stdout.write('loaded ' + resolved.url + '\\n');
  return resolved;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** Module URLs a fresh node (with tsx, as `pnpm drill` runs) resolves while importing `modulePath` (from ROOT). */
async function modulesLoadedBy(modulePath: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(`./${modulePath}`)});`,
    ],
    { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('loaded '))
    .map((line) => line.slice('loaded '.length));
}

describe('pnpm drill start-up', () => {
  it('the run command loads neither the in-process engine nor OpenTelemetry until the in-process path runs', async () => {
    const loaded = await modulesLoadedBy('core/cli/run-command.ts');
    // The hook saw the command itself: the listing is not empty for a reason of its own.
    expect(loaded.some((url) => url.endsWith('/core/cli/run-command.ts'))).toBe(true);
    expect(loaded.filter((url) => url.includes('/@opentelemetry/'))).toEqual([]);
    expect(loaded.filter((url) => url.endsWith('/core/runner/run-scenario.ts'))).toEqual([]);
    expect(loaded.filter((url) => url.endsWith('/core/cli/vitest-runner.ts'))).toEqual([]);
  }, 150_000);
});
