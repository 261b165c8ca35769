// ElastiCache over awsQuery (Version 2015-02-02): the Global Datastore and its two regional replication groups.
import { isRegion, REGIONS, type Region } from '../../regions.ts';
import { AwsError, requireParam } from '../protocol/errors.ts';
import { invalidAction, type QueryParams } from '../protocol/query.ts';
import { el, list, node } from '../protocol/xml.ts';
import type { GlobalDatastore, GlobalDatastoreView } from './global-datastore.ts';

export const ELASTICACHE_NAMESPACE = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
export const ELASTICACHE_VERSION = '2015-02-02';
const ENGINE = 'redis';
const ENGINE_VERSION = '7.0';
const NODE_TYPE = 'cache.r7g.large';

function globalXml(view: GlobalDatastoreView, showMembers: boolean): string {
  return [
    el('GlobalReplicationGroupId', view.id),
    el('GlobalReplicationGroupDescription', 'Luneo cache and BullMQ queues (lab)'),
    el('Status', view.status),
    el('CacheNodeType', NODE_TYPE),
    el('Engine', ENGINE),
    el('EngineVersion', ENGINE_VERSION),
    // AWS lists the members only when ShowMemberInfo=true.
    showMembers
      ? list('Members', 'GlobalReplicationGroupMember', view.members, (m) =>
          [
            el('ReplicationGroupId', m.replicationGroupId),
            el('ReplicationGroupRegion', m.region),
            el('Role', m.role),
            el('AutomaticFailover', 'enabled'),
            el('Status', m.status),
          ].join(''),
        )
      : '',
    el('ClusterEnabled', false),
    el('AuthTokenEnabled', true),
    el('TransitEncryptionEnabled', false),
    el('AtRestEncryptionEnabled', true),
    el('ARN', view.arn),
  ].join('');
}

async function replicationGroupXml(datastore: GlobalDatastore, region: Region): Promise<string> {
  const view = await datastore.describe();
  const member = view.members.find((m) => m.region === region)!;
  const { host, port } = datastore.endpoint(region);
  const id = member.replicationGroupId;
  const status = datastore.isChanging ? 'modifying' : 'available';
  return [
    el('ReplicationGroupId', id),
    el('Description', `Luneo Redis in ${region} (lab)`),
    node(
      'GlobalReplicationGroupInfo',
      el('GlobalReplicationGroupId', view.id),
      el('GlobalReplicationGroupMemberRole', member.role),
    ),
    el('Status', status),
    list('MemberClusters', 'ClusterId', [`${id}-001`], (c) => c),
    list('NodeGroups', 'NodeGroup', ['0001'], (nodeGroupId) =>
      [
        el('NodeGroupId', nodeGroupId),
        el('Status', status),
        node('PrimaryEndpoint', el('Address', host), el('Port', port)),
        node('ReaderEndpoint', el('Address', host), el('Port', port)),
        list('NodeGroupMembers', 'NodeGroupMember', [`${id}-001`], (clusterId) =>
          [
            el('CacheClusterId', clusterId),
            el('CacheNodeId', '0001'),
            node('ReadEndpoint', el('Address', host), el('Port', port)),
            el('PreferredAvailabilityZone', `${region}a`),
            el('CurrentRole', member.serverRole === 'down' ? undefined : member.serverRole),
          ].join(''),
        ),
      ].join(''),
    ),
    el('AutomaticFailover', 'disabled'),
    el('MultiAZ', 'disabled'),
    el('ClusterEnabled', false),
    el('CacheNodeType', NODE_TYPE),
    el('AuthTokenEnabled', true),
    el('TransitEncryptionEnabled', false),
    el('AtRestEncryptionEnabled', true),
    el('ARN', datastore.replicationGroupArn(region)),
    el('Engine', ENGINE),
  ].join('');
}

function globalNotFound(id: string): AwsError {
  return new AwsError('GlobalReplicationGroupNotFoundFault', 404, `Global datastore ${id} not found.`);
}

/** Answer one ElastiCache action with the XML of its Result element. */
export async function handleElastiCache(
  datastore: GlobalDatastore,
  params: QueryParams,
  region: string,
): Promise<string> {
  switch (params.action) {
    case 'DescribeGlobalReplicationGroups': {
      const id = params.str('GlobalReplicationGroupId');
      if (id !== undefined && !datastore.matches(id)) throw globalNotFound(id);
      const view = await datastore.describe();
      const show = params.bool('ShowMemberInfo') === true;
      return list('GlobalReplicationGroups', 'GlobalReplicationGroup', [view], (v) => globalXml(v, show));
    }
    case 'DescribeReplicationGroups': {
      // Regional, as on AWS: a replication group is found only in its own region.
      const id = params.str('ReplicationGroupId');
      let regions: Region[] = isRegion(region) ? [region] : [];
      if (id !== undefined) {
        const own = datastore.regionOf(id);
        if (!own || own !== region) {
          const hint = own ? ` It exists in ${own}: send the request to that region.` : '';
          throw new AwsError(
            'ReplicationGroupNotFoundFault',
            404,
            `ReplicationGroup ${id} not found.${hint}`,
          );
        }
        regions = [own];
      }
      const groups = await Promise.all(
        regions.filter((r) => REGIONS.includes(r)).map((r) => replicationGroupXml(datastore, r)),
      );
      return `<ReplicationGroups>${groups.map((g) => `<ReplicationGroup>${g}</ReplicationGroup>`).join('')}</ReplicationGroups>`;
    }
    case 'FailoverGlobalReplicationGroup': {
      const id = requireParam(params.str('GlobalReplicationGroupId'), 'GlobalReplicationGroupId');
      const primaryRegion = requireParam(params.str('PrimaryRegion'), 'PrimaryRegion');
      const primaryGroup = requireParam(params.str('PrimaryReplicationGroupId'), 'PrimaryReplicationGroupId');
      if (!datastore.matches(id)) throw globalNotFound(id);
      const view = await datastore.failover(primaryRegion, primaryGroup);
      return node('GlobalReplicationGroup', globalXml(view, true));
    }
    default:
      throw invalidAction(params.action);
  }
}
