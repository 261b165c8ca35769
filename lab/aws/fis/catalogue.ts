// The FIS actions AWS offers (their ids, target types and whether they run for a duration), and ISO-8601 durations.
// An action in this list but not mapped by the lab backend makes the experiment fail with the backend's reason.

export interface ActionSpec {
  description: string;
  /** Resource type of the action's targets, undefined for actions without targets. */
  targetType?: string;
  /** The action lasts `duration` and is reverted at its end. */
  durationRequired: boolean;
  /** Parameters besides duration the action cannot run without. */
  requiredParameters?: string[];
}

export const FIS_ACTIONS: Record<string, ActionSpec> = {
  'aws:fis:wait': { description: 'Wait for the specified duration.', durationRequired: true },
  'aws:network:disrupt-connectivity': {
    description: 'Deny traffic to and from the target subnets.',
    targetType: 'aws:ec2:subnet',
    durationRequired: true,
  },
  'aws:network:route-table-disrupt-cross-region-connectivity': {
    description: 'Block traffic from the target subnets to another region.',
    targetType: 'aws:ec2:subnet',
    durationRequired: true,
  },
  'aws:network:transit-gateway-disrupt-cross-region-connectivity': {
    description: 'Block traffic between transit gateway peering attachments.',
    targetType: 'aws:ec2:transit-gateway',
    durationRequired: true,
  },
  'aws:rds:failover-db-cluster': {
    description: 'Fail over the writer of the target Aurora clusters within their region.',
    targetType: 'aws:rds:cluster',
    durationRequired: false,
  },
  'aws:rds:reboot-db-instances': {
    description: 'Reboot the target DB instances.',
    targetType: 'aws:rds:db',
    durationRequired: false,
  },
  'aws:eks:pod-delete': {
    description: 'Delete the target pods.',
    targetType: 'aws:eks:pod',
    durationRequired: false,
  },
  'aws:eks:pod-network-blackhole-port': {
    description: 'Drop traffic on a port of the target pods.',
    targetType: 'aws:eks:pod',
    durationRequired: true,
  },
  'aws:eks:terminate-nodegroup-instances': {
    description: 'Terminate instances of the target node groups.',
    targetType: 'aws:eks:nodegroup',
    durationRequired: false,
  },
  'aws:ec2:stop-instances': {
    description: 'Stop the target instances.',
    targetType: 'aws:ec2:instance',
    durationRequired: false,
  },
  'aws:elasticache:replicationgroup-interrupt-az-power': {
    description: 'Interrupt power to one AZ of the target replication groups.',
    targetType: 'aws:elasticache:replicationgroup',
    durationRequired: true,
  },
  // Parameters: region (of the destination buckets), optional destinationBuckets and prefixes (comma-separated).
  'aws:s3:bucket-pause-replication': {
    description: 'Pause replication from the target source buckets to their destination buckets.',
    targetType: 'aws:s3:bucket',
    durationRequired: true,
    requiredParameters: ['region'],
  },
};

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** 'PT30M' → 1800000. The lab accepts durations under FIS's one-minute minimum (lab time is scaled down). */
export function parseIsoDuration(text: string): number | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return Math.round(((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000);
}
