// API errors as the Kubernetes API server returns them: a `Status` object with a stable reason.

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Gone'
  | 'InternalError';

const HTTP_CODE: Record<StatusReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  Forbidden: 403,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  Gone: 410,
  InternalError: 500,
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field: string }[];
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error the API server answers with; `code` is the stable Kubernetes reason. */
export class KubeApiError extends Error {
  readonly code: StatusReason;
  readonly httpStatus: number;
  readonly details: StatusDetails | undefined;

  constructor(reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'KubeApiError';
    this.code = reason;
    this.httpStatus = HTTP_CODE[reason];
    this.details = details;
  }

  toStatus(): KubeStatus {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.code,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpStatus,
    };
  }
}

/** `deployments.apps "x" not found`, exactly as kube-apiserver words it. */
export function notFound(resource: string, group: string, name: string): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError('NotFound', `${qualified} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError('AlreadyExists', `${qualified} "${name}" already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function conflict(resource: string, group: string, name: string): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(group ? { group } : {}), kind: resource },
  );
}

/** 422 with one cause per invalid field: `Deployment.apps "x" is invalid: spec.selector: Required value`. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: { field: string; message: string }[],
): KubeApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new KubeApiError('Invalid', `${qualified} "${name}" is invalid: ${joined}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError('BadRequest', message);
}
