// Service Quotas (awsJson 1.1, ServiceQuotasV20190624) for the quotas the lab enforces: FIS's target quotas
// (fis/quotas.ts). GetServiceQuota answers the account's applied value in the signing region, and
// GetAWSDefaultServiceQuota the AWS default; an unknown service or quota code is NoSuchResourceException
// (https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html, ..._GetAWSDefaultServiceQuota.html;
// shapes and errors from the botocore service-quotas 2019-06-24 model). Quotas are regional, as in AWS: an applied
// value in one region leaves the other regions at theirs. FIS reads the applied value of its region (quotaBreach).
import { TARGET_QUOTAS, type TargetQuota } from './fis/quotas.ts';
import { AwsError } from './protocol/errors.ts';

type Input = Record<string, unknown>;

export const SERVICE_QUOTAS_TARGET = 'ServiceQuotasV20190624';

const SERVICE_NAME: Record<string, string> = { fis: 'AWS Fault Injection Service' };

export class ServiceQuotas {
  /** Applied values by `${region}|${code}`; absent: the default. */
  readonly #applied = new Map<string, number>();

  constructor(private readonly accountId: string) {}

  /** The FIS target quotas as they apply in `region` (what the lab's FIS counts an experiment against). */
  fisQuotas(region: string): Record<string, TargetQuota> {
    return Object.fromEntries(
      Object.entries(TARGET_QUOTAS).map(([action, q]) => [
        action,
        { ...q, value: this.#applied.get(`${region}|${q.code}`) ?? q.value },
      ]),
    );
  }

  /**
   * Sets this account's applied value of a quota in a region, as AWS does when it grants an increase, or for an
   * account whose applied value is below the default (GetServiceQuota and GetAWSDefaultServiceQuota then differ).
   * null restores the default.
   */
  setApplied(region: string, code: string, value: number | null): void {
    if (!Object.values(TARGET_QUOTAS).some((q) => q.code === code))
      throw new Error(
        `the lab has no quota ${code} (it enforces ${Object.values(TARGET_QUOTAS)
          .map((q) => q.code)
          .join(', ')})`,
      );
    if (value === null) this.#applied.delete(`${region}|${code}`);
    else this.#applied.set(`${region}|${code}`, value);
  }

  handle(operation: string, input: Input, region: string): Record<string, unknown> {
    switch (operation) {
      case 'GetServiceQuota':
        return { Quota: this.#quota(input, region, true) };
      case 'GetAWSDefaultServiceQuota':
        return { Quota: this.#quota(input, region, false) };
      default:
        throw new AwsError(
          'UnknownOperationException',
          400,
          `The lab's Service Quotas has no operation ${operation}.`,
        );
    }
  }

  #quota(input: Input, region: string, applied: boolean): Record<string, unknown> {
    const service = String(input.ServiceCode ?? '');
    const code = String(input.QuotaCode ?? '');
    const quota = service === 'fis' ? Object.values(TARGET_QUOTAS).find((q) => q.code === code) : undefined;
    if (!quota)
      throw new AwsError(
        'NoSuchResourceException',
        400,
        `The request failed because the specified service or quota does not exist: ${service}/${code}.`,
      );
    const value = applied ? (this.#applied.get(`${region}|${code}`) ?? quota.value) : quota.value;
    return {
      ServiceCode: service,
      ServiceName: SERVICE_NAME[service],
      QuotaArn: `arn:aws:servicequotas:${region}:${applied ? this.accountId : ''}:${service}/${code}`,
      QuotaCode: code,
      QuotaName: quota.name,
      Value: value,
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
    };
  }
}
