// Who may do what on the lab's API servers. Kubernetes authorizes every request from its attributes (user, verb,
// API group, resource, subresource, namespace, name: https://kubernetes.io/docs/reference/access-authn-authz/authorization/#review-your-request-attributes).
// The lab's kubeconfig carries no credentials, so callers are `system:anonymous` in `system:unauthenticated`.
// Modes, as kube-apiserver's --authorization-mode: AlwaysAllow (the default here), or ABAC with a policy list
// (https://kubernetes.io/docs/reference/access-authn-authz/abac/): a request is allowed when one policy matches it
// (`*` matches any user, group, namespace, resource or API group; `readonly` matches get, list and watch only);
// no match is "No policy matched.". A denied request is 403 Forbidden; SelfSubjectAccessReview answers the same
// decision for the caller (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/).

export const ANONYMOUS = { user: 'system:anonymous', groups: ['system:unauthenticated'] } as const;

export interface RequestAttributes {
  verb: string;
  /** '' for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The spec of an `abac.authorization.kubernetes.io/v1beta1` Policy line (resource requests). */
export interface AbacPolicy {
  user?: string;
  group?: string;
  namespace?: string;
  resource?: string;
  apiGroup?: string;
  readonly?: boolean;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);

export class Authorizer {
  #abac: AbacPolicy[] | null = null;

  /** ABAC mode with these policies; null: AlwaysAllow. */
  setAbac(policies: AbacPolicy[] | null): void {
    this.#abac = policies;
  }

  authorize(a: RequestAttributes): Decision {
    const policies = this.#abac;
    if (!policies) return { allowed: true, reason: '' };
    const wild = (value: string | undefined, actual: string | undefined) => value === '*' || value === actual;
    const matches = (p: AbacPolicy) =>
      (wild(p.user, ANONYMOUS.user) || ANONYMOUS.groups.some((g) => wild(p.group, g))) &&
      (!p.readonly || READ_ONLY_VERBS.has(a.verb)) &&
      wild(p.namespace, a.namespace ?? '') &&
      wild(p.resource, a.resource) &&
      wild(p.apiGroup, a.group);
    return policies.some(matches)
      ? { allowed: true, reason: '' }
      : { allowed: false, reason: 'No policy matched.' };
  }
}

/** kube-apiserver's Forbidden message, e.g. `deployments.apps "x" is forbidden: User "system:anonymous" cannot patch resource "deployments/scale" in API group "apps" in the namespace "ns"`. */
export function forbiddenMessage(a: RequestAttributes, reason: string): string {
  const what = a.group ? `${a.resource}.${a.group}` : a.resource;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (
    `${what}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${ANONYMOUS.user}" cannot ${a.verb} resource "${resource}" ` +
    `in API group "${a.group}"${a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope'}${reason ? `: ${reason}` : ''}`
  );
}

/** The verb of a resource request (kube-apiserver's RequestInfo). */
export function requestVerb(method: string, named: boolean, watching: boolean): string | undefined {
  if (!named) return { GET: watching ? 'watch' : 'list', POST: 'create', DELETE: 'deletecollection' }[method];
  return { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method];
}
