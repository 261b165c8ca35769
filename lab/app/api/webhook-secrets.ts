// The e-commerce webhook signing secrets, read once from Secrets Manager (WEBHOOK_SECRETS_SECRET_ID) on first use.
// A failed read is not cached: the next webhook tries again.
import { HttpError } from '../http/respond.ts';

export interface WebhookSecrets {
  shopify: string;
  woocommerce: string;
}

let cached: Promise<WebhookSecrets> | undefined;

async function load(env: Record<string, string | undefined>): Promise<WebhookSecrets> {
  const secretId = env.WEBHOOK_SECRETS_SECRET_ID;
  if (!secretId) {
    throw new HttpError(
      503,
      'webhooks_not_configured',
      'this pod has no WEBHOOK_SECRETS_SECRET_ID: it cannot verify webhook signatures',
    );
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region: env.AWS_REGION || env.REGION || 'eu-west-1',
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    maxAttempts: 2,
    // throwOnRequestTimeout: without it @smithy/node-http-handler 4.x only warns, and a held answer hangs the pod.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const parsed = JSON.parse(out.SecretString ?? 'null') as Partial<WebhookSecrets> | null;
    if (typeof parsed?.shopify !== 'string' || typeof parsed.woocommerce !== 'string') {
      throw new Error('it must hold JSON {"shopify": "...", "woocommerce": "..."}');
    }
    return { shopify: parsed.shopify, woocommerce: parsed.woocommerce };
  } catch (error) {
    throw new HttpError(
      503,
      'webhooks_not_configured',
      `cannot read the webhook secrets from secret ${secretId}: ${(error as Error).message}`,
    );
  } finally {
    client.destroy();
  }
}

export function webhookSecrets(
  env: Record<string, string | undefined> = process.env,
): Promise<WebhookSecrets> {
  cached ??= load(env).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
