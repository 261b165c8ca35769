// The Luneo workloads as Kubernetes objects: what each cluster runs.
import { LUNEO } from '../regions.ts';
import { type AppCommands, TSX_COMMANDS } from './app-bundles.ts';

function deployment(name: string, replicas: number, command: string[], readinessPath: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: LUNEO.namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: `luneo/${name}:lab`,
              command,
              envFrom: [{ configMapRef: { name: LUNEO.drOverridesConfigMap, optional: true } }],
              readinessProbe: { httpGet: { path: readinessPath, port: 'http' } },
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

/** `commands`: each deployment's container command (app-bundles.ts; through tsx by default). */
export function luneoManifests(commands: AppCommands = TSX_COMMANDS): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LUNEO.namespace } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: LUNEO.drOverridesConfigMap, namespace: LUNEO.namespace },
      data: { dr_mode: 'false' },
    },
    // Readiness does not depend on the database: a DB outage must show as 503s from /health, not as no endpoints.
    deployment('luneo-api', 2, commands['luneo-api'], '/version'),
    deployment('luneo-frontend', 1, commands['luneo-frontend'], '/healthz'),
    deployment('ai-worker', 1, commands['ai-worker'], '/health'),
  ];
}
