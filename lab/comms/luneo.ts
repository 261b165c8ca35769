// Luneo's communication and business-check bindings in the lab: names and freshly drawn secrets, per lab.
import { randomBytes } from 'node:crypto';

export const LAB_COMMS = {
  statuspagePageId: 'luneostatus',
  /** Component id → name on the status page (status.luneo.app). */
  components: { 'luneo-api': 'API (api.luneo.app)', 'luneo-shop': 'Shop' },
  secrets: {
    chatWebhookUrl: 'prod/luneo/SLACK_INCIDENT_WEBHOOK_URL',
    statuspageApiKey: 'prod/luneo/STATUSPAGE_API_KEY',
    /** JSON {"shopify": ..., "woocommerce": ...}: the e-commerce webhook signing secrets the API verifies. */
    webhookSecrets: 'prod/luneo/ECOMMERCE_WEBHOOK_SECRETS',
  },
} as const;

export interface LabCommsSecrets {
  chatToken: string;
  statuspageApiKey: string;
  webhookSecrets: { shopify: string; woocommerce: string };
}

/** New random secrets for one lab: they live in its Secrets Manager only, never in lab.json. */
export function drawCommsSecrets(): LabCommsSecrets {
  const token = (n: number) => randomBytes(n).toString('hex');
  return {
    chatToken: token(12),
    statuspageApiKey: token(16),
    webhookSecrets: { shopify: `shpss_${token(16)}`, woocommerce: `wc_${token(16)}` },
  };
}
