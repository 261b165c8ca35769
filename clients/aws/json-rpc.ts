// AWS JSON 1.1 calls (POST, X-Amz-Target: <prefix>.<Operation>, SigV4) for the services the drill only reads and
// has no SDK client for: Service Quotas and the Resource Groups Tagging API. Same endpoint rules as the SDK:
// the configured endpoint (the lab), else AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL, else AWS's regional one
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); credentials from the default chain.
import { createHash, createHmac } from 'node:crypto';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CallOptions } from '../abort.ts';
import type { ResourceRef } from '../errors.ts';
import { AwsCaller } from './call.ts';
import { type AwsClientConfig, sdkClientOptions } from './config.ts';

export interface JsonService {
  /** The service name in the SigV4 scope, and the endpoint prefix, e.g. `servicequotas`, `tagging`. */
  signingName: string;
  /** X-Amz-Target prefix (the model's `targetPrefix`). */
  targetPrefix: string;
  /** The service id for AWS_ENDPOINT_URL_<ID>, e.g. `SERVICE_QUOTAS`. */
  envId: string;
  /** The only operations the drill sends (each has its IAM row in iam-actions.ts); others are refused unsent. */
  operations: readonly string[];
}

// botocore service-quotas/2019-06-24 and resourcegroupstaggingapi/2017-01-26 metadata.
export const SERVICE_QUOTAS: JsonService = {
  signingName: 'servicequotas',
  targetPrefix: 'ServiceQuotasV20190624',
  envId: 'SERVICE_QUOTAS',
  operations: ['GetServiceQuota', 'GetAWSDefaultServiceQuota'],
};
export const TAGGING: JsonService = {
  signingName: 'tagging',
  targetPrefix: 'ResourceGroupsTaggingAPI_20170126',
  envId: 'RESOURCE_GROUPS_TAGGING_API',
  operations: ['GetResources'],
};

/** Every JSON service the drill calls through JsonRpcClient. */
export const JSON_SERVICES: readonly JsonService[] = [SERVICE_QUOTAS, TAGGING];

class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** A JSON error as the SDK shapes it (name, $metadata), so clients/aws/call.ts maps it like any other. */
class JsonServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

export class JsonRpcClient {
  readonly caller: AwsCaller;
  readonly #credentials: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }>;

  constructor(
    readonly service: JsonService,
    readonly config: AwsClientConfig,
    readonly region: string,
    caller?: AwsCaller,
  ) {
    this.caller = caller ?? new AwsCaller(service.signingName, region);
    const given = config.credentials;
    const chain = given ? undefined : new STSClient(sdkClientOptions(config, region)).config.credentials;
    this.#credentials = given ? async () => given : async () => (chain as () => Promise<never>)();
  }

  endpoint(): string {
    return (
      this.config.endpoint ??
      process.env[`AWS_ENDPOINT_URL_${this.service.envId}`] ??
      process.env.AWS_ENDPOINT_URL ??
      `https://${this.service.signingName}.${this.region}.amazonaws.com`
    );
  }

  /** One operation, retried and mapped to ClientError like the SDK-backed wrappers. */
  call<T>(operation: string, input: object, resource?: ResourceRef, opts: CallOptions = {}): Promise<T> {
    if (!this.service.operations.includes(operation))
      throw new Error(
        `${this.service.signingName} ${operation} is not an operation the drill sends (JsonService.operations)`,
      );
    return this.caller.send(operation, resource, (signal) => this.#send<T>(operation, input, signal), opts);
  }

  async #send<T>(operation: string, input: object, signal: AbortSignal | undefined): Promise<T> {
    const url = new URL(this.endpoint());
    const body = JSON.stringify(input);
    const signer = new SignatureV4({
      credentials: await this.#credentials(),
      region: this.region,
      service: this.service.signingName,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname || '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${this.service.targetPrefix}.${operation}`,
      },
      body,
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) {
      const type = String(json.__type ?? res.headers.get('x-amzn-errortype') ?? `Http${res.status}`);
      const name = type.split('#').pop()?.split(':')[0] ?? type;
      throw new JsonServiceError(name, String(json.message ?? json.Message ?? text), res.status);
    }
    return json as T;
  }
}
