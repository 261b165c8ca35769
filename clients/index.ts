// Public surface of clients/: typed AWS and Kubernetes wrappers with retries, abort signals, audit and plans.

export type { CallOptions } from './abort.ts';
export { AwsClients } from './aws/clients.ts';
export {
  type AlarmInfo,
  type AlarmState,
  CloudWatch,
  type MetricQuery,
  rpoLagQuery,
} from './aws/cloudwatch.ts';
export { type AwsClientConfig, AwsClientFactory, ROUTE53_SIGNING_REGION } from './aws/config.ts';
export {
  CLIENT_TOKEN_TAG,
  type ExperimentInfo,
  Fis,
  planCreateExperimentTemplate,
  planStartExperiment,
  planStopExperiment,
  RUN_ID_TAG,
  type StartInput,
  TEMPLATE_TAG,
  TERMINAL_EXPERIMENT_STATES,
  type TemplateInput,
} from './aws/fis.ts';
export {
  type ChangeWriterResult,
  type DbClusterInfo,
  type GlobalClusterInfo,
  type GlobalClusterMemberInfo,
  parseClusterArn,
  planFailoverGlobalCluster,
  planSwitchoverGlobalCluster,
  Rds,
  writerOf,
} from './aws/rds.ts';
export { type HealthCheckInfo, type HealthCheckStatus, Route53 } from './aws/route53.ts';
export {
  type DnsRecord,
  type FailoverRecord,
  normalizeName,
  planHoldHealthCheckUnhealthy,
  planUpsertRecord,
} from './aws/route53-records.ts';
export { planPutSecretValue, REDACTED, Secrets, type SecretValue } from './aws/secrets.ts';
export { type CallerIdentity, Sts } from './aws/sts.ts';
export { ClientError, type ClientErrorCode, isAbortError, isClientError } from './errors.ts';
export {
  type DeploymentInfo,
  KubeClient,
  type PodInfo,
  planApplyConfigMap,
  planDeleteConfigMap,
  planDeletePod,
  planRolloutRestart,
  planScaleDeployment,
  rolloutComplete,
} from './kube/kube.ts';
export { type PollResult, pollUntil, type WaitOptions } from './poll.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './retry.ts';
