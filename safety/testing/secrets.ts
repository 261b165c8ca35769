// The lab's secret values (to grep outputs for) and a grep over every file a run wrote.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { LabInfo } from '../../lab/platform/info.ts';

export interface SecretValue {
  /** Where it comes from, e.g. "prod/luneo/DATABASE_URL password": printed instead of the value. */
  label: string;
  value: string;
}

/** Every Secrets Manager value of the lab (and the passwords inside URL values), plus the AWS secret key. */
export async function labSecrets(info: LabInfo): Promise<SecretValue[]> {
  const found: SecretValue[] = [{ label: 'AWS secret access key', value: info.aws.secretAccessKey }];
  const sm = new SecretsManagerClient({
    region: 'eu-west-1',
    endpoint: info.aws.endpoint,
    credentials: { accessKeyId: info.aws.accessKeyId, secretAccessKey: info.aws.secretAccessKey },
    maxAttempts: 5,
  });
  try {
    const list = await sm.send(new ListSecretsCommand({}));
    for (const entry of list.SecretList ?? []) {
      const name = entry.Name ?? '?';
      const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      if (SecretString) found.push(...secretParts(name, SecretString));
    }
  } finally {
    sm.destroy();
  }
  // Short values would match by accident (e.g. "1"); lab secrets are long.
  return found.filter((s) => s.value.length >= 6);
}

function secretParts(name: string, value: string): SecretValue[] {
  const parts: SecretValue[] = [{ label: name, value }];
  const password = urlPassword(value);
  if (password) parts.push({ label: `${name} password`, value: password });
  try {
    const json = JSON.parse(value) as unknown;
    if (json && typeof json === 'object') {
      for (const [key, v] of Object.entries(json)) {
        if (typeof v !== 'string') continue;
        parts.push({ label: `${name} ${key}`, value: v });
        const inner = urlPassword(v);
        if (inner) parts.push({ label: `${name} ${key} password`, value: inner });
      }
    }
  } catch {}
  return parts;
}

function urlPassword(value: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** "<file>: <secret label>" for each secret found in each file or named text; [] when clean. */
export function findSecrets(
  secrets: SecretValue[],
  files: string[],
  texts: Record<string, string>,
  root: string,
): string[] {
  const hits: string[] = [];
  const scan = (where: string, content: string) => {
    for (const s of secrets) if (content.includes(s.value)) hits.push(`${where}: ${s.label}`);
  };
  for (const file of files) scan(relative(root, file), readFileSync(file).toString('latin1'));
  for (const [where, text] of Object.entries(texts)) scan(where, text);
  return hits;
}
