// How each kind of service refuses a request whose SigV4 signature does not hold. The codes are in the
// services' Common Errors pages (e.g. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); the JSON services' 400 and the
// "Signature expired: … is now earlier than … (… - 15 min.)" wording are what their SDKs report (aws-sdk-js #254,
// aws-cli #6676); the restJson statuses are a lab choice (SEMANTICS.md lists them as a question).
import { AwsError } from './errors.ts';
import { MAX_SKEW_MS, type SigV4Refusal } from './sigv4-verify.ts';

/** The wire family of the service that answers: query and restXml (Route 53) share codes, S3 has its own. */
export type AuthFamily = 'query' | 'rest-xml' | 'json' | 'rest-json' | 's3';

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const S3_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

function amz(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function skewMessage(signed: string, serverMs: number, ahead: boolean): string {
  const server = amz(serverMs);
  return ahead
    ? `Signature not yet current: ${signed} is still later than ${amz(serverMs + MAX_SKEW_MS)} (${server} + 15 min.)`
    : `Signature expired: ${signed} is now earlier than ${amz(serverMs - MAX_SKEW_MS)} (${server} - 15 min.)`;
}

export function signatureError(refusal: SigV4Refusal, family: AuthFamily): AwsError {
  const json = family === 'json';
  const jsonStatus = json ? 400 : 403;
  const signatureCode =
    family === 'json' || family === 'rest-json' ? 'InvalidSignatureException' : 'SignatureDoesNotMatch';
  const signature = (message: string) => new AwsError(signatureCode, jsonStatus, message);
  switch (refusal.kind) {
    case 'missing':
      if (family === 's3') return new AwsError('AccessDenied', 403, 'Access Denied');
      return family === 'query' || family === 'rest-xml'
        ? new AwsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token')
        : new AwsError('MissingAuthenticationTokenException', jsonStatus, 'Missing Authentication Token');
    case 'malformed':
      if (family === 's3')
        return new AwsError(
          'AuthorizationHeaderMalformed',
          400,
          `The authorization header is malformed; ${refusal.detail}`,
        );
      return new AwsError(
        json || family === 'rest-json' ? 'IncompleteSignatureException' : 'IncompleteSignature',
        400,
        refusal.detail,
      );
    case 'unknown-key':
      if (family === 's3')
        return new AwsError(
          'InvalidAccessKeyId',
          403,
          'The AWS Access Key Id you provided does not exist in our records.',
        );
      return family === 'query' || family === 'rest-xml'
        ? new AwsError('InvalidClientTokenId', 403, INVALID_TOKEN)
        : new AwsError('UnrecognizedClientException', jsonStatus, INVALID_TOKEN);
    case 'mismatch':
      return family === 's3' ? new AwsError('SignatureDoesNotMatch', 403, S3_MISMATCH) : signature(MISMATCH);
    case 'payload-hash':
      return family === 's3'
        ? new AwsError(
            'XAmzContentSHA256Mismatch',
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
          )
        : signature(MISMATCH);
    case 'wrong-service':
      return signature(`Credential should be scoped to correct service: '${refusal.expected}'. `);
    case 'skewed':
      if (family === 's3')
        return new AwsError(
          'RequestTimeTooSkewed',
          403,
          'The difference between the request time and the current time is too large.',
        );
      return signature(skewMessage(refusal.signed, refusal.serverMs, refusal.ahead));
    case 'expired':
      return family === 's3'
        ? new AwsError('AccessDenied', 403, 'Request has expired')
        : signature('Signature expired');
  }
}
