// Readiness: every AWS resource the target binds exists and is wired as the drill expects: the global cluster
// with both member clusters, the hosted zone with the failover record pair and their health checks, the
// artifacts bucket replicating to the DR bucket, the Global Datastore with both replication groups.

import { answeredRecord, routedHealthy } from '../../../clients/aws/route53-health.ts';
import { bareId } from '../../../clients/aws/route53-records.ts';
import type { ReadinessCheck } from '../../../core/preflight/types.ts';
import { fail, pass, read, readFailure } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';

export const targetFileOf = (ctx: LuneoRun) => `targets/${ctx.target.name}.ts`;

export function resourceChecks(ctx: LuneoRun): ReadinessCheck[] {
  const r = ctx.target.resources;
  const file = targetFileOf(ctx);
  const checks: ReadinessCheck[] = [
    {
      name: 'global-cluster',
      calls: [read('rds', 'DescribeGlobalClusters', r.primary.region)],
      async run(signal) {
        const name = `global cluster ${r.globalClusterId}`;
        const l = await luneo(ctx);
        try {
          const gc = await l.aws.rds(r.primary.region).describeGlobalCluster(r.globalClusterId, { signal });
          const member = (side: 'primary' | 'secondary') =>
            gc.members.find(
              (m) =>
                m.clusterId === r[side].clusterId || m.clusterArn.endsWith(`:cluster:${r[side].clusterId}`),
            );
          const primary = member('primary');
          const secondary = member('secondary');
          const missing = [!primary && r.primary, !secondary && r.secondary].filter((b) => b !== false);
          if (missing.length > 0)
            return [
              fail(
                name,
                `${missing.map((b) => `${b.clusterId} (${b.region})`).join(', ')} is not a member; members: ${gc.members.map((m) => m.clusterArn).join(', ') || 'none'}`,
                `fix primary.clusterId / secondary.clusterId in ${file}, or add the cluster to the global database`,
              ),
            ];
          if (!primary?.isWriter)
            return [
              fail(
                name,
                `the writer is not the primary ${r.primary.clusterId}: ${gc.members.find((m) => m.isWriter)?.clusterArn ?? 'no writer'}`,
                'switch back to the primary first (`pnpm drill switchback`), or swap primary and secondary in the target',
              ),
            ];
          return [
            pass(
              name,
              `${gc.status}, writer ${primary.clusterId} in ${r.primary.region}, secondary ${r.secondary.clusterId} in ${r.secondary.region}`,
            ),
          ];
        } catch (error) {
          return [readFailure(name, error, `fix globalClusterId in ${file}`, 'rds:DescribeGlobalClusters')];
        }
      },
    },
    {
      name: 'dns',
      calls: [
        read('route53', 'ListResourceRecordSets', 'global'),
        read('route53', 'GetHealthCheck', 'global'),
        read('route53', 'TestDNSAnswer', 'global'),
        read('route53', 'GetHealthCheckStatus', 'global'),
      ],
      async run(signal) {
        const l = await luneo(ctx);
        const route53 = l.aws.route53();
        const zone = `hosted zone ${r.hostedZone.name} (${bareId(l.zoneId)})`;
        let records: Awaited<ReturnType<typeof route53.listFailoverRecords>>;
        try {
          records = await route53.listFailoverRecords(l.zoneId, r.apiRecord, { signal });
        } catch (error) {
          return [
            readFailure(
              zone,
              error,
              `fix hostedZone.id in ${file} (LUNEO_PROD_ZONE_ID)`,
              'route53:ListResourceRecordSets',
            ),
          ];
        }
        const results = [pass(zone, `exists, ${records.length} failover record(s) named ${r.apiRecord}`)];
        const name = `failover records ${r.apiRecord}`;
        const primary = records.find((x) => x.failover === 'PRIMARY');
        const secondary = records.find((x) => x.failover === 'SECONDARY');
        if (!primary || !secondary) {
          results.push(
            fail(
              name,
              `${r.apiRecord} has ${primary ? '' : 'no PRIMARY '}${secondary ? '' : 'no SECONDARY '}failover record in ${bareId(l.zoneId)}`,
              `fix apiRecord in ${file}, or create the failover record pair (Route 53 failover routing)`,
            ),
          );
          return results;
        }
        if (!primary.healthCheckId) {
          results.push(
            fail(
              name,
              'the PRIMARY record has no health check: Route 53 would never fail over',
              'attach a health check to the PRIMARY record',
            ),
          );
          return results;
        }
        results.push(pass(name, `PRIMARY ${primary.setIdentifier}, SECONDARY ${secondary.setIdentifier}`));
        for (const id of [primary.healthCheckId, secondary.healthCheckId].filter((x): x is string => !!x)) {
          const hc = `health check ${id}`;
          try {
            const info = await route53.getHealthCheck(id, { signal });
            if (r.primaryHealthCheckId && id === primary.healthCheckId && r.primaryHealthCheckId !== id) {
              results.push(
                fail(
                  hc,
                  `the PRIMARY record uses ${id}, the target names ${r.primaryHealthCheckId}`,
                  `set primaryHealthCheckId to ${id} in ${file}`,
                ),
              );
            } else
              results.push(
                pass(
                  hc,
                  `${info.type}${info.fqdn ? ` ${info.fqdn}` : ''}${info.disabled ? ', disabled' : ''}${info.inverted ? ', inverted' : ''}`,
                ),
              );
          } catch (error) {
            results.push(
              readFailure(
                hc,
                error,
                'recreate the health check and attach it to the record',
                'route53:GetHealthCheck',
              ),
            );
          }
        }
        const answer = `DNS answer ${r.apiRecord}`;
        try {
          const got = await route53.testDnsAnswer(l.zoneId, r.apiRecord, primary.type ?? 'A', { signal });
          const data = got.recordData.join(', ') || got.responseCode;
          // An alias answer is its target's addresses, not a record's values: then the primary health check's
          // status decides, combined as Route 53 routes on it (the DNS step does the same, apps/luneo/steps/dns.ts).
          let which = answeredRecord(got.recordData, records)?.failover;
          if (!which && records.some((x) => x.alias)) {
            const [config, reports] = await Promise.all([
              route53.getHealthCheck(primary.healthCheckId, { signal }),
              route53.getHealthCheckStatus(primary.healthCheckId, { signal }),
            ]);
            which = routedHealthy(reports, config) ? 'PRIMARY' : 'SECONDARY';
          }
          results.push(
            which === 'PRIMARY'
              ? pass(answer, `Route 53 answers PRIMARY (${data})`)
              : fail(
                  answer,
                  `Route 53 answers ${which ?? data}${which ? ` (${data})` : ''}, not the PRIMARY ${primary.setIdentifier}: traffic is not on the primary now`,
                  'find why the primary health check fails (aws route53 get-health-check-status), or switch back before a drill',
                ),
          );
        } catch (error) {
          results.push(readFailure(answer, error, 'check the record', 'route53:TestDNSAnswer'));
        }
        return results;
      },
    },
  ];
  const s3 = r.s3;
  if (s3)
    checks.push({
      name: 's3-replication',
      calls: [read('s3', 'GetBucketReplication', r.primary.region)],
      async run(signal) {
        const name = `bucket ${s3.primaryBucket} → ${s3.drBucket}`;
        const l = await luneo(ctx);
        const { S3, s3Client } = await import('../../../clients/aws/s3.ts');
        const client = new S3(s3Client(l.aws.factory.config, r.primary.region), r.primary.region, {
          audit: ctx.audit,
          retry: l.aws.factory.retryPolicy,
        });
        try {
          const config = await client.getBucketReplication(s3.primaryBucket, { signal });
          const rule = (config.Rules ?? []).find(
            (x) => x.Status === 'Enabled' && x.Destination?.Bucket === `arn:aws:s3:::${s3.drBucket}`,
          );
          if (!rule)
            return [
              fail(
                name,
                `no Enabled replication rule of ${s3.primaryBucket} writes to ${s3.drBucket} (rules: ${(config.Rules ?? []).map((x) => `${x.ID ?? '?'} ${x.Status} → ${x.Destination?.Bucket}`).join(', ') || 'none'})`,
                `fix s3.drBucket in ${file}, or enable the replication rule (aws s3api put-bucket-replication)`,
              ),
            ];
          return [pass(name, `rule ${rule.ID ?? '(no id)'} Enabled, role ${config.Role ?? '?'}`)];
        } catch (error) {
          return [
            readFailure(
              name,
              error,
              `fix s3.primaryBucket in ${file}, or configure replication`,
              's3:GetReplicationConfiguration',
            ),
          ];
        }
      },
    });
  const cache = r.cache;
  if (cache)
    checks.push({
      name: 'global-datastore',
      calls: [read('elasticache', 'DescribeGlobalReplicationGroups', r.primary.region)],
      async run(signal) {
        const name = `global datastore ${cache.globalReplicationGroupId}`;
        const l = await luneo(ctx);
        try {
          const ds = await l.aws
            .elastiCache(r.primary.region)
            .describeGlobalDatastore(cache.globalReplicationGroupId, { signal });
          const ids = ds.members.map((m) => m.replicationGroupId);
          const missing = Object.values(cache.replicationGroups).filter((id) => !ids.includes(id));
          if (missing.length > 0)
            return [
              fail(
                name,
                `${missing.join(', ')} not a member (members: ${ids.join(', ') || 'none'})`,
                `fix cache.replicationGroups in ${file}`,
              ),
            ];
          if (ds.primary !== cache.replicationGroups.primary)
            return [
              fail(
                name,
                `the primary member is ${ds.primary ?? 'none'}, not ${cache.replicationGroups.primary}`,
                'fail the datastore back to the primary region before a drill',
              ),
            ];
          return [pass(name, `${ds.status}, primary ${ds.primary}, members ${ids.join(', ')}`)];
        } catch (error) {
          return [
            readFailure(
              name,
              error,
              `fix cache.globalReplicationGroupId in ${file}`,
              'elasticache:DescribeGlobalReplicationGroups',
            ),
          ];
        }
      },
    });
  return checks;
}
