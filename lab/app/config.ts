import { AppError } from './errors.ts';

/** What every app pod is given by the kubelet (see lab/README.md). */
export interface PodEnv {
  port: number;
  region: string;
  pod: string;
  version: string;
  /** From the dr-overrides configmap (envFrom), read once at start; absent → false. */
  drMode: boolean;
}

export interface AwsEnv {
  endpoint: string | undefined;
  region: string;
  databaseUrlSecretId: string;
  /** REDIS_URL_SECRET_ID: where REDIS_URL (BullMQ's Redis) lives; undefined when the pod has no queue. */
  redisUrlSecretId?: string;
}

type Env = Record<string, string | undefined>;

function required(env: Env, names: string[]): void {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new AppError('APP_ENV_MISSING', `missing environment variable(s): ${missing.join(', ')}`);
  }
}

/** Reads the pod's identity and port from its environment; throws APP_ENV_MISSING / APP_ENV_INVALID. */
export function readPodEnv(env: Env = process.env): PodEnv {
  required(env, ['PORT', 'REGION', 'POD_NAME']);
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AppError('APP_ENV_INVALID', `PORT must be an integer 0-65535, got "${env.PORT}"`);
  }
  return {
    port,
    region: env.REGION!,
    pod: env.POD_NAME!,
    version: env.APP_VERSION || '0.0.0-lab',
    drMode: parseFlag(env.dr_mode ?? env.DR_MODE),
  };
}

/** Where DATABASE_URL lives: Secrets Manager at AWS_ENDPOINT_URL, secret DATABASE_URL_SECRET_ID. */
export function readAwsEnv(env: Env = process.env): AwsEnv {
  required(env, ['DATABASE_URL_SECRET_ID']);
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || env.REGION;
  if (!region) throw new AppError('APP_ENV_MISSING', 'missing environment variable(s): AWS_REGION');
  return {
    endpoint: env.AWS_ENDPOINT_URL || undefined,
    region,
    databaseUrlSecretId: env.DATABASE_URL_SECRET_ID!,
    ...(env.REDIS_URL_SECRET_ID ? { redisUrlSecretId: env.REDIS_URL_SECRET_ID } : {}),
  };
}

/** "true", "1", "yes", "on" (any case) → true; anything else, or absent → false. */
export function parseFlag(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase());
}
