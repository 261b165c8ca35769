// The region (and signing service) a request was signed for, from the SigV4 credential scope.

export interface SigningScope {
  region: string;
  service: string | undefined;
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

/** Region from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261120/us-east-1/rds/aws4_request, …`. */
export function signingScope(authorization: string | undefined, query?: URLSearchParams): SigningScope {
  const fromHeader = authorization ? SCOPE.exec(authorization) : null;
  const credential = query?.get('X-Amz-Credential');
  const fromQuery = credential ? SCOPE.exec(`Credential=${credential}`) : null;
  const match = fromHeader ?? fromQuery;
  // Unsigned requests get the default region AWS clients fall back to.
  return match
    ? { region: match[1] as string, service: match[2] }
    : { region: 'us-east-1', service: undefined };
}
