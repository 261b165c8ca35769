// RDS over awsQuery (Version 2014-10-31): the global cluster and its two regional clusters.
import { isRegion, type Region } from '../../regions.ts';
import type { DbRole } from '../backend.ts';
import type { AwsContext } from '../context.ts';
import { AwsError, requireParam } from '../protocol/errors.ts';
import { invalidAction, type QueryParams } from '../protocol/query.ts';
import { el, escapeXml, list, node } from '../protocol/xml.ts';
import type { GlobalCluster, GlobalClusterView } from './global-cluster.ts';

export const RDS_NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';
const ENGINE = 'aurora-postgresql';
const ENGINE_VERSION = '16.4';

function globalClusterXml(view: GlobalClusterView): string {
  const state = view.failoverState;
  return [
    el('GlobalClusterIdentifier', view.id),
    el('GlobalClusterResourceId', `cluster-${view.id}`),
    el('GlobalClusterArn', view.arn),
    el('Status', view.status),
    el('Engine', ENGINE),
    el('EngineVersion', ENGINE_VERSION),
    el('StorageEncrypted', true),
    el('DeletionProtection', false),
    // Quirk of the model: members are <GlobalClusterMember>, readers are <member>.
    list('GlobalClusterMembers', 'GlobalClusterMember', view.members, (m) =>
      [
        el('DBClusterArn', m.arn),
        list('Readers', 'member', m.readers, escapeXml),
        el('IsWriter', m.isWriter),
        el('GlobalWriteForwardingStatus', 'disabled'),
        el('SynchronizationStatus', m.syncStatus),
      ].join(''),
    ),
    el('Endpoint', view.endpoint),
    state
      ? node(
          'FailoverState',
          el('Status', state.status),
          el('FromDbClusterArn', state.fromArn),
          el('ToDbClusterArn', state.toArn),
          el('IsDataLossAllowed', state.isDataLossAllowed),
        )
      : '',
  ].join('');
}

function clusterStatus(role: DbRole, changing: boolean): string {
  if (changing) return 'failing-over';
  return role === 'down' || role === 'fenced' ? 'inaccessible' : 'available';
}

async function dbClusterXml(ctx: AwsContext, global: GlobalCluster, region: Region): Promise<string> {
  const db = ctx.backend.database;
  const id = global.seed.clusters[region];
  const role = await db.role(region);
  const { host, port } = db.endpoint(region);
  return [
    el('DBClusterIdentifier', id),
    el('DBClusterArn', global.clusterArn(region)),
    el('Status', clusterStatus(role, global.isChanging(region))),
    el('Engine', ENGINE),
    el('EngineVersion', ENGINE_VERSION),
    el('Endpoint', host),
    el('ReaderEndpoint', host),
    el('Port', port),
    el('MultiAZ', false),
    el('GlobalClusterIdentifier', global.seed.globalClusterId),
    el('GlobalWriteForwardingStatus', 'disabled'),
    list('DBClusterMembers', 'DBClusterMember', [`${id}-instance-1`], (instance) =>
      [
        el('DBInstanceIdentifier', instance),
        el('IsClusterWriter', role === 'writer'),
        el('PromotionTier', 1),
      ].join(''),
    ),
  ].join('');
}

function globalNotFound(id: string): AwsError {
  return new AwsError('GlobalClusterNotFoundFault', 404, `GlobalCluster ${id} not found.`);
}

/** A cluster by id or ARN in the request's region (DescribeDBClusters is regional on AWS). */
function clusterInRegion(global: GlobalCluster, idOrArn: string, requestRegion: string): Region {
  const region = global.regionOf(idOrArn);
  if (!region || region !== requestRegion) {
    const hint = region ? ` It exists in ${region}: send the request to that region.` : '';
    throw new AwsError('DBClusterNotFoundFault', 404, `DBCluster ${idOrArn} not found.${hint}`);
  }
  return region;
}

/** Answer one RDS action with the XML of its Result element. */
export async function handleRds(
  ctx: AwsContext,
  global: GlobalCluster,
  params: QueryParams,
  region: string,
): Promise<string> {
  switch (params.action) {
    case 'DescribeGlobalClusters': {
      const id = params.str('GlobalClusterIdentifier');
      if (id !== undefined && !global.matches(id)) throw globalNotFound(id);
      const view = await global.describe();
      return list('GlobalClusters', 'GlobalClusterMember', [view], globalClusterXml);
    }
    case 'DescribeDBClusters': {
      const id = params.str('DBClusterIdentifier');
      const regions: Region[] = id ? [clusterInRegion(global, id, region)] : isRegion(region) ? [region] : [];
      const clusters = await Promise.all(regions.map((r) => dbClusterXml(ctx, global, r)));
      return `<DBClusters>${clusters.map((c) => `<DBCluster>${c}</DBCluster>`).join('')}</DBClusters>`;
    }
    case 'FailoverGlobalCluster':
    case 'SwitchoverGlobalCluster': {
      const id = requireParam(params.str('GlobalClusterIdentifier'), 'GlobalClusterIdentifier');
      const target = requireParam(params.str('TargetDbClusterIdentifier'), 'TargetDbClusterIdentifier');
      if (!global.matches(id)) throw globalNotFound(id);
      const allowDataLoss =
        params.action === 'FailoverGlobalCluster' && params.bool('AllowDataLoss') === true;
      const switchover = params.action === 'SwitchoverGlobalCluster' || params.bool('Switchover') === true;
      if (allowDataLoss && switchover) {
        throw new AwsError(
          'InvalidParameterCombination',
          400,
          'AllowDataLoss and Switchover cannot both be true: use AllowDataLoss for an unplanned failover, or SwitchoverGlobalCluster for a planned one.',
        );
      }
      const view = await global.change(switchover ? 'switchover' : 'failover', target, allowDataLoss);
      return node('GlobalCluster', globalClusterXml(view));
    }
    case 'PromoteReadReplicaDBCluster': {
      const id = requireParam(params.str('DBClusterIdentifier'), 'DBClusterIdentifier');
      clusterInRegion(global, id, region);
      throw new AwsError(
        'InvalidDBClusterStateFault',
        400,
        `DB cluster ${id} is a member of global cluster ${global.seed.globalClusterId}. PromoteReadReplicaDBCluster applies only to Aurora MySQL cross-Region read replicas; to promote a secondary cluster of an Aurora global database use FailoverGlobalCluster (TargetDbClusterIdentifier=<cluster ARN>, AllowDataLoss=true) or SwitchoverGlobalCluster.`,
      );
    }
    case 'FailoverDBCluster': {
      const id = requireParam(params.str('DBClusterIdentifier'), 'DBClusterIdentifier');
      const clusterRegion = clusterInRegion(global, id, region);
      if ((await ctx.backend.database.role(clusterRegion)) !== 'writer') {
        throw new AwsError(
          'InvalidDBClusterStateFault',
          400,
          `DB cluster ${id} has no writer to fail over: it is not the primary cluster.`,
        );
      }
      await ctx.backend.database.restartWriter();
      ctx.mutated('FailoverDBCluster');
      return node('DBCluster', await dbClusterXml(ctx, global, clusterRegion));
    }
    default:
      throw invalidAction(params.action);
  }
}
