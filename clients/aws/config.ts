// AWS client configuration and a factory that builds each SDK client once per (service, region).

import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { FisClient } from '@aws-sdk/client-fis';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { AuditLog } from '../../core/model.ts';
import { ClientError } from '../errors.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.ts';

// SDK 3.1164 warns on Node 20 that releases after January 2027 will need Node 22. We pin 3.1164 (README,
// dependencies), so the warning tells a drill's reader nothing actionable and would bury the run's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsClientConfig {
  /** Default region for regional services. */
  region: string;
  /** Explicit endpoint (the lab). Live targets leave it out and use AWS's endpoints. */
  endpoint?: string;
  /** Static credentials (the lab). Live targets leave them out: the default credential chain applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Total attempts per call, including the first (our retry layer). Default 5. */
  maxAttempts?: number;
  /** Per-request socket timeout in ms. Default 30 s. */
  requestTimeoutMs?: number;
}

/** Route 53's control plane lives in us-east-1: requests are always signed for it. */
export const ROUTE53_SIGNING_REGION = 'us-east-1';

export type AwsServiceName =
  | 'rds'
  | 'route53'
  | 'fis'
  | 'secretsmanager'
  | 'cloudwatch'
  | 'sts'
  | 'elasticache'
  | 'iam';

/** The SDK options for one client. maxAttempts is 1: retries happen in clients/retry.ts. */
export function sdkClientOptions(config: AwsClientConfig, region: string) {
  return {
    region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    maxAttempts: 1,
    // throwOnRequestTimeout: @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes, so an
    // answer that never comes would hang the call (and its step) until the step's own deadline.
    requestHandler: {
      requestTimeout: config.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
  };
}

export function validateAwsClientConfig(config: AwsClientConfig): void {
  const fail = (message: string) => {
    throw new ClientError({ code: 'E_CONFIG', message, service: 'aws', operation: 'configure' });
  };
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(config.region ?? '')) {
    fail(`aws.region: expected a region like "eu-west-1", got ${JSON.stringify(config.region)}`);
  }
  if (config.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(config.endpoint)) {
    fail(`aws.endpoint: expected a URL like "http://127.0.0.1:4566", got ${JSON.stringify(config.endpoint)}`);
  }
  if (
    config.maxAttempts !== undefined &&
    !(Number.isInteger(config.maxAttempts) && config.maxAttempts >= 1)
  ) {
    fail(`aws.maxAttempts: expected an integer ≥ 1, got ${JSON.stringify(config.maxAttempts)}`);
  }
  const creds = config.credentials;
  if (creds && (!creds.accessKeyId || !creds.secretAccessKey)) {
    fail('aws.credentials: both accessKeyId and secretAccessKey are required when credentials are given');
  }
}

type SdkClient =
  | RDSClient
  | Route53Client
  | FisClient
  | SecretsManagerClient
  | CloudWatchClient
  | STSClient
  | ElastiCacheClient
  | IAMClient;

/** Builds SDK clients lazily, once per (service, region); `destroy()` closes their sockets. */
export class AwsClientFactory {
  readonly retryPolicy: RetryPolicy;
  readonly #clients = new Map<string, SdkClient>();

  constructor(
    readonly config: AwsClientConfig,
    retry?: Partial<RetryPolicy>,
  ) {
    validateAwsClientConfig(config);
    this.retryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      ...(config.maxAttempts ? { maxAttempts: config.maxAttempts } : {}),
      ...retry,
    };
  }

  #get<C extends SdkClient>(service: AwsServiceName, region: string, build: (opts: object) => C): C {
    const key = `${service}@${region}`;
    let client = this.#clients.get(key) as C | undefined;
    if (!client) {
      client = build(sdkClientOptions(this.config, region));
      this.#clients.set(key, client);
    }
    return client;
  }

  rds(region = this.config.region): RDSClient {
    return this.#get('rds', region, (o) => new RDSClient(o));
  }
  route53(): Route53Client {
    return this.#get('route53', ROUTE53_SIGNING_REGION, (o) => new Route53Client(o));
  }
  fis(region = this.config.region): FisClient {
    return this.#get('fis', region, (o) => new FisClient(o));
  }
  secretsManager(region = this.config.region): SecretsManagerClient {
    return this.#get('secretsmanager', region, (o) => new SecretsManagerClient(o));
  }
  cloudWatch(region = this.config.region): CloudWatchClient {
    return this.#get('cloudwatch', region, (o) => new CloudWatchClient(o));
  }
  sts(region = this.config.region): STSClient {
    return this.#get('sts', region, (o) => new STSClient(o));
  }
  elastiCache(region = this.config.region): ElastiCacheClient {
    return this.#get('elasticache', region, (o) => new ElastiCacheClient(o));
  }
  /** IAM is global: one client, signed for us-east-1 (or the lab's endpoint). */
  iam(): IAMClient {
    return this.#get('iam', 'us-east-1', (o) => new IAMClient(o));
  }

  /** Number of SDK clients built so far (one per service and region). */
  get size(): number {
    return this.#clients.size;
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}

/** What every service wrapper needs besides its SDK client. */
export interface AwsWrapperOptions {
  /** Every mutating call is recorded here before and after it is made. */
  audit?: AuditLog;
  retry?: RetryPolicy;
}
