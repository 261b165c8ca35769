import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GetHealthCheckCommand, Route53Client, UpdateHealthCheckCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { FAST_RETRY, mockClientInSuite } from '../testing.ts';
import { COMMAND_PERMISSIONS, SDK_PACKAGE_SERVICE } from './iam-actions.ts';
import { JSON_SERVICES } from './json-rpc.ts';
import { Route53 } from './route53.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
// The drill's own code: not the lab (it plays AWS), not tests or their helpers.
const SKIP = /^(node_modules|lab|out|\.lab|\.git)$|^testing$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.test(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every SDK command the drill's code imports to send, as `service:Operation` with the file importing it. */
function sentCommands(): Map<string, string> {
  const sent = new Map<string, string>();
  for (const file of sources(ROOT)) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file);
    expect(text, `${where}: import commands by name, not as a namespace`).not.toMatch(
      /import \* as \w+ from '@aws-sdk\/client-/,
    );
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const names = (m[1] ?? '').split(',').map((n) => n.trim());
      for (const name of names) {
        if (!name.endsWith('Command') || name.startsWith('type ')) continue;
        const service = SDK_PACKAGE_SERVICE[m[2] ?? ''];
        expect(service, `${where}: @aws-sdk/client-${m[2]} has no IAM service prefix`).toBeDefined();
        sent.set(`${service}:${name.replace(/Command$/, '')}`, where);
      }
    }
  }
  // The JSON services without an SDK client declare what they send (clients/aws/json-rpc.ts).
  for (const service of JSON_SERVICES)
    for (const operation of service.operations)
      sent.set(`${service.signingName}:${operation}`, 'clients/aws/json-rpc.ts');
  return sent;
}

describe('COMMAND_PERMISSIONS', () => {
  const r53 = mockClientInSuite(Route53Client);
  const sent = sentCommands();

  it('maps every SDK command the drill can send to its IAM actions', () => {
    expect(sent.size).toBeGreaterThan(20);
    const unmapped = [...sent].filter(([command]) => !COMMAND_PERMISSIONS[command]);
    expect(unmapped.map(([command, file]) => `${command} (${file})`)).toEqual([]);
  });

  it('has no row for a command nothing sends, and every command a wrapper sends too has its own row', () => {
    expect(Object.keys(COMMAND_PERMISSIONS).filter((command) => !sent.has(command))).toEqual([]);
    for (const [command, row] of Object.entries(COMMAND_PERMISSIONS)) {
      const service = command.split(':')[0];
      for (const also of row.sendsAlso ?? []) expect(COMMAND_PERMISSIONS[`${service}:${also}`]).toBeDefined();
    }
  });

  it('names each action as service:Action and each source as a documentation URL', () => {
    for (const [command, row] of Object.entries(COMMAND_PERMISSIONS)) {
      expect(row.source, command).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      for (const { action } of row.actions) expect(action, command).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
  });

  it('the wrapper behind a planned UpdateHealthCheck sends only what its row says', async () => {
    r53.on(GetHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc1',
        CallerReference: 'x',
        HealthCheckVersion: 3,
        HealthCheckConfig: { Type: 'HTTPS', Inverted: false },
      },
    });
    r53.on(UpdateHealthCheckCommand).resolves({
      HealthCheck: {
        Id: 'hc1',
        CallerReference: 'x',
        HealthCheckVersion: 4,
        HealthCheckConfig: { Type: 'HTTPS' },
      },
    });
    await new Route53(new Route53Client({ region: 'us-east-1' }), {
      retry: FAST_RETRY,
    }).holdHealthCheckUnhealthy('hc1', true);
    const names = r53.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
    const row = COMMAND_PERMISSIONS['route53:UpdateHealthCheck'];
    expect(new Set(names)).toEqual(new Set(['UpdateHealthCheck', ...(row?.sendsAlso ?? [])]));
  });
});
