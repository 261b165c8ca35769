// Luneo's logical resources, bound to real names by each target (targets/lab.ts, targets/prod.ts).

export interface RegionalBinding {
  region: string;
  /** Aurora cluster identifier in that region. */
  clusterId: string;
  /** Kubernetes context of the region's EKS cluster. */
  kubeContext: string;
}

export interface LuneoResources {
  /** Aurora Global Database identifier. */
  globalClusterId: string;
  primary: RegionalBinding;
  secondary: RegionalBinding;
  /** Route 53 hosted zone: its name, and its id where known in advance (the lab finds it at run time). */
  hostedZone: { name: string; id?: string };
  /** The failover record users resolve, e.g. api.luneo.app. */
  apiRecord: string;
  /** The Route 53 health check on the PRIMARY record; looked up from the record when absent. */
  primaryHealthCheckId?: string;
  /** Secrets Manager ids. */
  secrets: { databaseUrl: string };
  kube: { namespace: string; drOverridesConfigMap: string };
  deployments: { api: string; worker: string; frontend: string };
  /** What users hit (the stand-in for https://api.luneo.app on the lab). */
  publicUrl: string;
  /** CloudWatch alarm names of runbook §4. */
  alarms: {
    replicationLag: string;
    alb5xx: string;
    route53HealthCheck: string;
    s3ReplicationLatency?: string;
  };
  /** FIS: the role experiments run as, and the tags that select each fault's targets. */
  fis: {
    roleArn: string;
    /** Subnets of the primary database (network isolation of Aurora). */
    databaseSubnetTags: Record<string, string>;
    /** Every subnet of the primary region (regional outage). */
    regionSubnetTags: Record<string, string>;
    /** CloudWatch alarm ARN that stops an experiment (customer-facing guardrail). */
    stopConditionAlarmArn?: string;
  };
  /** Set on lab targets: where the lab lives, so endpoints are read from its lab.json at run time. */
  lab?: { dir: string };
}
