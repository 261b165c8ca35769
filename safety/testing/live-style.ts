// A live-style target pointing at the lab: the real `prod` target (kind 'live', Luneo's names, which the lab
// serves too), with the environment a live run gets (AWS default credential chain, AWS_ENDPOINT_URL, KUBECONFIG
// with the EKS ARN contexts `aws eks update-kubeconfig` writes) aimed at the lab's endpoints instead of AWS.
import type { LabInfo } from '../../lab/platform/info.ts';

export const LIVE_STYLE_TARGET = 'prod';

export function liveStyleEnv(info: LabInfo, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    CI: '1',
    LUNEO_PROD_ACCOUNT_ID: info.aws.accountId,
    LUNEO_PROD_ZONE_ID: info.hostedZoneId,
    AWS_ENDPOINT_URL: info.aws.endpoint,
    AWS_ACCESS_KEY_ID: info.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.aws.secretAccessKey,
    AWS_REGION: 'eu-west-1',
    KUBECONFIG: info.kubeconfig,
  };
  // Nothing may lead the drill to the lab target's own settings.
  delete env.LAB_DIR;
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
}
