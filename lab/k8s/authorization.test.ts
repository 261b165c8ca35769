// ABAC as kube-apiserver evaluates it (https://kubernetes.io/docs/reference/access-authn-authz/abac/): a request
// is allowed when one policy line matches it; `*` matches anything; readonly lines match get, list and watch only.
import { describe, expect, it } from 'vitest';
import { Authorizer, forbiddenMessage, requestVerb } from './authorization.ts';

const patchScale = {
  verb: 'patch',
  group: 'apps',
  resource: 'deployments',
  subresource: 'scale',
  namespace: 'luneo-platform',
  name: 'luneo-api',
};

describe('Authorizer', () => {
  it('AlwaysAllow unless ABAC policies are set', () => {
    expect(new Authorizer().authorize(patchScale)).toEqual({ allowed: true, reason: '' });
  });

  it('ABAC: a readonly line allows reads only; no matching line is "No policy matched."', () => {
    const a = new Authorizer();
    a.setAbac([{ user: '*', namespace: '*', resource: 'deployments', apiGroup: 'apps', readonly: true }]);
    expect(a.authorize({ ...patchScale, verb: 'get' }).allowed).toBe(true);
    expect(a.authorize(patchScale)).toEqual({ allowed: false, reason: 'No policy matched.' });
    expect(a.authorize({ ...patchScale, verb: 'get', group: '', resource: 'pods' }).allowed).toBe(false);
    a.setAbac(null);
    expect(a.authorize(patchScale).allowed).toBe(true);
  });

  it('ABAC: the namespace, API group and subject must match; `*` matches cluster-scoped requests too', () => {
    const a = new Authorizer();
    a.setAbac([{ group: 'system:unauthenticated', namespace: 'other', resource: '*', apiGroup: '*' }]);
    expect(a.authorize(patchScale).allowed).toBe(false);
    a.setAbac([{ user: 'alice', namespace: '*', resource: '*', apiGroup: '*' }]);
    expect(a.authorize(patchScale).allowed).toBe(false);
    a.setAbac([{ group: 'system:unauthenticated', namespace: '*', resource: '*', apiGroup: '*' }]);
    expect(a.authorize({ verb: 'list', group: '', resource: 'nodes' }).allowed).toBe(true);
  });

  it("kube-apiserver's Forbidden message and request verbs", () => {
    expect(forbiddenMessage(patchScale, 'No policy matched.')).toBe(
      'deployments.apps "luneo-api" is forbidden: User "system:anonymous" cannot patch resource "deployments/scale" in API group "apps" in the namespace "luneo-platform": No policy matched.',
    );
    expect([
      requestVerb('GET', false, true),
      requestVerb('GET', false, false),
      requestVerb('DELETE', false, false),
    ]).toEqual(['watch', 'list', 'deletecollection']);
    expect(requestVerb('PATCH', true, false)).toBe('patch');
  });
});
