// The Resource Groups Tagging API (awsJson 1.1, ResourceGroupsTaggingAPI_20170126): GetResources over the lab's
// taggable resources (the subnets, clusters and pods FIS targets), in the signing region. A resource matches when
// it carries every TagFilters key with one of its Values (no Values: any value) and its type is one of
// ResourceTypeFilters (`service:type`, e.g. `ec2:subnet`; `ec2` alone: every ec2 type)
// (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html; shapes from the
// botocore resourcegroupstaggingapi 2017-01-26 model).
import type { LabResource } from './backend.ts';
import { AwsError } from './protocol/errors.ts';

type Input = Record<string, unknown>;

export const TAGGING_TARGET = 'ResourceGroupsTaggingAPI_20170126';

/** `aws:ec2:subnet` (FIS's resource type) → `ec2:subnet` (the tagging API's). */
const taggingType = (fisType: string) => fisType.replace(/^aws:/, '');

export function handleTagging(
  operation: string,
  input: Input,
  region: string,
  resources: LabResource[],
): Record<string, unknown> {
  if (operation !== 'GetResources')
    throw new AwsError(
      'UnknownOperationException',
      400,
      `The lab's tagging API has no operation ${operation}.`,
    );
  const filters = (input.TagFilters as { Key?: string; Values?: string[] }[] | undefined) ?? [];
  const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
  const matches = resources
    .filter((r) => r.region === region)
    .filter(
      (r) =>
        types.length === 0 ||
        types.some((t) => taggingType(r.type) === t || taggingType(r.type).startsWith(`${t}:`)),
    )
    .filter((r) =>
      filters.every(
        (f) =>
          f.Key !== undefined &&
          f.Key in r.tags &&
          (!f.Values?.length || f.Values.includes(r.tags[f.Key] as string)),
      ),
    );
  return {
    PaginationToken: '',
    ResourceTagMappingList: matches.map((r) => ({
      ResourceARN: r.arn,
      Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
    })),
  };
}
