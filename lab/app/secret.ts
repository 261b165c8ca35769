import type { AwsEnv } from './config.ts';
import { AppError, describeError } from './errors.ts';

/** Where a postgres URL points, never its user or password: safe to log and to show in /health. */
export interface DatabaseLocation {
  /** hostname:port */
  host: string;
  name: string;
}

export function describeDatabaseUrl(url: string): DatabaseLocation {
  try {
    const parsed = new URL(url);
    return {
      host: `${parsed.hostname}:${parsed.port || '5432'}`,
      name: decodeURIComponent(parsed.pathname.slice(1)),
    };
  } catch {
    return { host: '<unparseable DATABASE_URL>', name: '' };
  }
}

function checkDatabaseUrl(value: string | undefined, secretId: string): string {
  const url = value?.trim();
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new AppError(
      'DATABASE_URL_INVALID',
      `secret ${secretId} must hold a postgres:// URL in SecretString (got ${url ? 'another format' : 'nothing'})`,
    );
  }
  return url;
}

/**
 * Reads DATABASE_URL from Secrets Manager once, as the real pods do at start (a changed secret
 * needs a restart). Retries transient failures for about `budgetMs`, then throws SECRET_UNAVAILABLE.
 */
export function loadDatabaseUrl(aws: AwsEnv, budgetMs = 10_000): Promise<string> {
  return loadSecretString(aws, aws.databaseUrlSecretId, checkDatabaseUrl, budgetMs);
}

/** Reads REDIS_URL (BullMQ's Redis) once at start, like DATABASE_URL; REDIS_URL_SECRET_ID must be set. */
export function loadRedisUrl(aws: AwsEnv, budgetMs = 10_000): Promise<string> {
  if (!aws.redisUrlSecretId)
    throw new AppError('APP_ENV_MISSING', 'missing environment variable(s): REDIS_URL_SECRET_ID');
  return loadSecretString(aws, aws.redisUrlSecretId, checkRedisUrl, budgetMs);
}

function checkRedisUrl(value: string | undefined, secretId: string): string {
  const url = value?.trim();
  if (!url || !/^rediss?:\/\//.test(url)) {
    throw new AppError(
      'REDIS_URL_INVALID',
      `secret ${secretId} must hold a redis:// URL in SecretString (got ${url ? 'another format' : 'nothing'})`,
    );
  }
  return url;
}

/** Where a redis URL points, never its password: host:port. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '<unparseable REDIS_URL>';
  }
}

async function loadSecretString(
  aws: AwsEnv,
  secretId: string,
  check: (value: string | undefined, secretId: string) => string,
  budgetMs: number,
): Promise<string> {
  // The SDK warns on every pod start that Node 20 support ends; the lab pins Node 20 knowingly.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Imported lazily: the SDK is the heaviest module an app pod loads.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region: aws.region,
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    maxAttempts: 1,
    // throwOnRequestTimeout: without it @smithy/node-http-handler 4.x only warns, and a held answer hangs the pod.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + budgetMs;
  let delay = 200;
  try {
    for (;;) {
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        return check(out.SecretString, secretId);
      } catch (error) {
        const name = (error as { name?: string }).name;
        const permanent = error instanceof AppError || name === 'ResourceNotFoundException';
        if (permanent || Date.now() + delay > deadline) {
          if (error instanceof AppError) throw error;
          throw new AppError(
            'SECRET_UNAVAILABLE',
            `cannot read secret ${secretId} from Secrets Manager at ${aws.endpoint ?? 'the default endpoint'}: ${describeError(error)}`,
            { cause: error },
          );
        }
        console.error(`secret ${secretId}: ${describeError(error)}; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  } finally {
    client.destroy();
  }
}
