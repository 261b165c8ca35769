// Luneo's logical resources, bound to real names by each target (apps/luneo/targets/lab.ts, apps/luneo/targets/prod.ts).

export interface RegionalBinding {
  region: string;
  /** Aurora cluster identifier in that region. */
  clusterId: string;
  /** Kubernetes context of the region's EKS cluster. */
  kubeContext: string;
}

/**
 * A CloudWatch alarm and its region: an alarm lives where its metric is published, and DescribeAlarms in another
 * region does not see it (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#CloudWatchRegions).
 */
export interface AlarmRef {
  name: string;
  region: string;
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
  /** S3 artifacts: the versioned bucket in the primary region, replicated to the DR bucket (runbook §9.4). */
  s3?: { primaryBucket: string; drBucket: string };
  /** ElastiCache Global Datastore (cache and BullMQ queues, runbook §6.2 / §9.3); absent: the cache steps skip and say why. */
  cache?: { globalReplicationGroupId: string; replicationGroups: { primary: string; secondary: string } };
  /** Secrets Manager ids (redisUrl: REDIS_URL, moved with the cache). */
  secrets: { databaseUrl: string; redisUrl?: string };
  kube: { namespace: string; drOverridesConfigMap: string };
  deployments: { api: string; worker: string; frontend: string };
  /** What users hit (the stand-in for https://api.luneo.app on the lab). */
  publicUrl: string;
  /** CloudWatch alarms of runbook §4, each with the region it lives in (CloudWatch is regional). */
  alarms: {
    replicationLag: AlarmRef;
    alb5xx: AlarmRef;
    route53HealthCheck: AlarmRef;
    s3ReplicationLatency?: AlarmRef;
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
    /** This account's "Target Subnets for aws:network:disrupt-connectivity" quota, where raised (FIS default 5). */
    targetSubnetQuota?: number;
  };
  /** Runbook §7: where the incident is announced. Absent (or unbound parts): the comms steps say they skipped and why. */
  comms?: LuneoComms;
  /** Runbook §10: what the post-restore business checks need. */
  business?: LuneoBusiness;
  /** Each region's own load balancer URL, where the target knows it (the lab does): bypasses Route 53. */
  regionUrls?: Record<string, string>;
  /** Set on lab targets: where the lab lives. Only the lab target's connect() reads it (its lab.json). */
  lab?: { dir: string };
}

/** A secret read at run time, from Secrets Manager (primary region) or from an environment variable. Never logged. */
export type SecretRef = { secretId: string } | { env: string };

export interface LuneoComms {
  /** Slack-style incoming webhook; its URL carries the token, so the URL itself is the secret. */
  chatWebhookUrl?: SecretRef;
  statuspage?: {
    /** API base, e.g. "https://api.statuspage.io"; "lab:comms" on the lab. */
    apiUrl: string;
    /** The page of status.luneo.app; empty = not bound. */
    pageId: string;
    /** Sent as `Authorization: OAuth <key>`. */
    apiKey: SecretRef;
    /** Components the incident marks major_outage. */
    componentIds: string[];
  };
  /** How to bind what is missing, quoted when a step skips (e.g. which environment variables to set). */
  setup?: string;
}

export interface LuneoBusiness {
  /** JSON {"shopify": "<app secret>", "woocommerce": "<webhook secret>"}: signs the sandbox webhooks. */
  webhookSecrets?: SecretRef;
  /** How to bind what is missing, quoted when a check cannot run. */
  setup?: string;
}
