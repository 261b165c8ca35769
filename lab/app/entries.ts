import { fileURLToPath } from 'node:url';

/**
 * The process entry of each Luneo deployment, for the kubelet: `node --import tsx <entry>` with the
 * pod env (PORT, REGION, POD_NAME, AWS_*, DATABASE_URL_SECRET_ID, APP_VERSION, dr_mode).
 * Each logs "<name> ready on 127.0.0.1:<port> ..." once it serves.
 */
export const APP_ENTRIES = {
  'luneo-api': fileURLToPath(new URL('./api.ts', import.meta.url)),
  'luneo-frontend': fileURLToPath(new URL('./frontend.ts', import.meta.url)),
  'ai-worker': fileURLToPath(new URL('./worker.ts', import.meta.url)),
} as const;

export type AppDeployment = keyof typeof APP_ENTRIES;

/** Readiness path per deployment: luneo-api's /health needs its database; the others only need to serve. */
export const READINESS_PATHS: Record<AppDeployment, string> = {
  'luneo-api': '/health',
  'luneo-frontend': '/healthz',
  'ai-worker': '/health',
};
