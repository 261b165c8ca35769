// Error codes any operation of a service may answer although its model does not declare them.

/** Query and JSON services: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html (the
 *  same list on every such API reference), plus SigV4's refusals
 *  (https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html). */
const COMMON = [
  'AccessDeniedException',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidQueryParameter',
  'MalformedQueryString',
  'MissingAction',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'MissingParameter',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'ServiceUnavailable',
  'ThrottlingException',
  'Throttling',
  'ValidationError',
  'ValidationException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'AccessDenied',
  'UnknownOperationException',
];

/** S3: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (those the lab can answer). */
const S3 = [
  'AccessDenied',
  'AuthorizationHeaderMalformed',
  'InternalError',
  'InvalidAccessKeyId',
  'InvalidArgument',
  'InvalidBucketState',
  'InvalidRequest',
  'MalformedXML',
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchVersion',
  'NotImplemented',
  'PermanentRedirect',
  'ReplicationConfigurationNotFoundError',
  'RequestTimeTooSkewed',
  'ServiceUnavailable',
  'SignatureDoesNotMatch',
  'SlowDown',
  'XAmzContentSHA256Mismatch',
  // A HEAD answer has no body: SDKs name the error by its status.
  'NotFound',
];

export function isCommonError(service: string, code: string): boolean {
  return (service === 's3' ? S3 : COMMON).includes(code);
}
