// Service Quotas and the tagging API as the preflight reads them: applied vs default values per region, FIS's view
// of the applied value, and GetResources' tag and type filters (API_GetServiceQuota, API_GetResources).
import { describe, expect, it } from 'vitest';
import type { LabResource } from './backend.ts';
import { ServiceQuotas } from './service-quotas.ts';
import { handleTagging } from './tagging.ts';

const input = { ServiceCode: 'fis', QuotaCode: 'L-1F59732D' };

describe('ServiceQuotas', () => {
  it('answers the applied value per region and the AWS default; FIS counts against the applied one', () => {
    const sq = new ServiceQuotas('111122223333');
    expect(sq.handle('GetServiceQuota', input, 'eu-west-1')).toMatchObject({
      Quota: { Value: 5, QuotaCode: 'L-1F59732D' },
    });
    sq.setApplied('eu-west-1', 'L-1F59732D', 1);
    expect(sq.handle('GetServiceQuota', input, 'eu-west-1')).toMatchObject({ Quota: { Value: 1 } });
    expect(sq.handle('GetServiceQuota', input, 'us-east-1')).toMatchObject({ Quota: { Value: 5 } });
    expect(sq.handle('GetAWSDefaultServiceQuota', input, 'eu-west-1')).toMatchObject({ Quota: { Value: 5 } });
    expect(sq.fisQuotas('eu-west-1')['aws:network:disrupt-connectivity']?.value).toBe(1);
    sq.setApplied('eu-west-1', 'L-1F59732D', null);
    expect(sq.fisQuotas('eu-west-1')['aws:network:disrupt-connectivity']?.value).toBe(5);
  });

  it('an unknown quota is NoSuchResourceException', () => {
    expect(() =>
      new ServiceQuotas('1').handle('GetServiceQuota', { ServiceCode: 'ec2', QuotaCode: 'L-1' }, 'eu-west-1'),
    ).toThrow(expect.objectContaining({ code: 'NoSuchResourceException' }));
  });
});

describe('tagging GetResources', () => {
  const subnet = (
    id: string,
    region: 'eu-west-1' | 'us-east-1',
    tags: Record<string, string>,
  ): LabResource => ({
    arn: `arn:aws:ec2:${region}:1:subnet/${id}`,
    type: 'aws:ec2:subnet',
    region,
    id,
    tags,
  });
  const resources = [
    subnet('a', 'eu-west-1', { Tier: 'database', DisruptSubnet: 'Allowed' }),
    subnet('b', 'eu-west-1', { Tier: 'app', DisruptSubnet: 'Allowed' }),
    subnet('c', 'us-east-1', { Tier: 'database', DisruptSubnet: 'Allowed' }),
    {
      arn: 'arn:aws:rds:eu-west-1:1:cluster:x',
      type: 'aws:rds:cluster',
      region: 'eu-west-1' as const,
      id: 'x',
      tags: { Tier: 'database' },
    },
  ];
  const arns = (filters: Record<string, unknown>) =>
    (
      handleTagging('GetResources', filters, 'eu-west-1', resources).ResourceTagMappingList as {
        ResourceARN: string;
      }[]
    ).map((m) => m.ResourceARN);

  it('matches every tag filter, in the signing region, of the resource types asked', () => {
    expect(
      arns({
        TagFilters: [{ Key: 'DisruptSubnet', Values: ['Allowed'] }],
        ResourceTypeFilters: ['ec2:subnet'],
      }),
    ).toEqual(['arn:aws:ec2:eu-west-1:1:subnet/a', 'arn:aws:ec2:eu-west-1:1:subnet/b']);
    expect(
      arns({
        TagFilters: [
          { Key: 'Tier', Values: ['database'] },
          { Key: 'DisruptSubnet', Values: ['Allowed'] },
        ],
        ResourceTypeFilters: ['ec2:subnet'],
      }),
    ).toEqual(['arn:aws:ec2:eu-west-1:1:subnet/a']);
    expect(arns({ TagFilters: [{ Key: 'Tier' }] })).toHaveLength(3);
  });
});
