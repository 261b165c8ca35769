import { describe, expect, it } from 'vitest';
import { webhookSecrets } from './webhook-secrets.ts';

describe('webhookSecrets', () => {
  it('refuses with 503 webhooks_not_configured on a pod without WEBHOOK_SECRETS_SECRET_ID', async () => {
    await expect(webhookSecrets({})).rejects.toMatchObject({
      status: 503,
      code: 'webhooks_not_configured',
      message: 'this pod has no WEBHOOK_SECRETS_SECRET_ID: it cannot verify webhook signatures',
    });
  });

  it('says which secret it could not read, and tries again on the next call', async () => {
    const env = {
      WEBHOOK_SECRETS_SECRET_ID: 'prod/x',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
    };
    await expect(webhookSecrets(env)).rejects.toThrow(
      /^cannot read the webhook secrets from secret prod\/x: /,
    );
    await expect(webhookSecrets({})).rejects.toMatchObject({ code: 'webhooks_not_configured' });
  });
});
