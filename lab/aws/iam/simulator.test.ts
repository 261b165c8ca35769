import { describe, expect, it } from 'vitest';
import { QueryParams } from '../protocol/query.ts';
import { IamSimulator } from './simulator.ts';

const ROLE = 'arn:aws:iam::111122223333:role/luneo-drill';
const query = (values: Record<string, string>) =>
  new QueryParams(
    new URLSearchParams({ Action: 'SimulatePrincipalPolicy', Version: '2010-05-08', ...values }).toString(),
  );
const actions = (...names: string[]) =>
  Object.fromEntries(names.map((name, i) => [`ActionNames.member.${i + 1}`, name]));

describe('IamSimulator', () => {
  it('answers one result per action and resource, with the deciding statements', () => {
    const xml = new IamSimulator('111122223333').handle(
      query({
        PolicySourceArn: ROLE,
        ...actions('secretsmanager:CreateSecret'),
        'ResourceArns.member.1': 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:drill/lock/lab-AbCdEf',
        'ResourceArns.member.2':
          'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/luneo/DATABASE_URL-AbCdEf',
      }),
    );
    expect(xml).toBe(
      '<EvaluationResults>' +
        '<member><EvalActionName>secretsmanager:CreateSecret</EvalActionName>' +
        '<EvalResourceName>arn:aws:secretsmanager:eu-west-1:111122223333:secret:drill/lock/lab-AbCdEf</EvalResourceName>' +
        '<EvalDecision>allowed</EvalDecision><MatchedStatements><member>' +
        '<SourcePolicyId>luneo-drill-policy/HoldTheDrillLock</SourcePolicyId><SourcePolicyType>role</SourcePolicyType>' +
        '</member></MatchedStatements><MissingContextValues></MissingContextValues></member>' +
        '<member><EvalActionName>secretsmanager:CreateSecret</EvalActionName>' +
        '<EvalResourceName>arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/luneo/DATABASE_URL-AbCdEf</EvalResourceName>' +
        '<EvalDecision>implicitDeny</EvalDecision><MatchedStatements></MatchedStatements>' +
        '<MissingContextValues></MissingContextValues></member>' +
        '</EvaluationResults><IsTruncated>false</IsTruncated>',
    );
  });

  it('evaluates conditions with the ContextEntries of the request, and names the keys it lacked', () => {
    const sim = new IamSimulator('111122223333');
    const role = 'arn:aws:iam::111122223333:role/luneo-fis-dr-drill';
    const passTo = (service?: string) =>
      sim.handle(
        query({
          PolicySourceArn: ROLE,
          ...actions('iam:PassRole'),
          'ResourceArns.member.1': role,
          ...(service
            ? {
                'ContextEntries.member.1.ContextKeyName': 'iam:PassedToService',
                'ContextEntries.member.1.ContextKeyValues.member.1': service,
                'ContextEntries.member.1.ContextKeyType': 'string',
              }
            : {}),
        }),
      );
    expect(passTo('fis.amazonaws.com')).toContain(
      '<EvalDecision>allowed</EvalDecision><MatchedStatements><member><SourcePolicyId>luneo-drill-policy/PassTheExperimentRoleToFis</SourcePolicyId>',
    );
    expect(passTo('ec2.amazonaws.com')).toContain(
      '<EvalDecision>implicitDeny</EvalDecision><MatchedStatements></MatchedStatements><MissingContextValues></MissingContextValues>',
    );
    expect(passTo()).toContain(
      '<EvalDecision>implicitDeny</EvalDecision><MatchedStatements></MatchedStatements><MissingContextValues><member>iam:PassedToService</member></MissingContextValues>',
    );
    expect(() =>
      sim.handle(
        query({
          PolicySourceArn: ROLE,
          ...actions('iam:PassRole'),
          'ContextEntries.member.1.ContextKeyName': 'iam:PassedToService',
          'ContextEntries.member.1.ContextKeyValues.member.1': 'fis.amazonaws.com',
          'ContextEntries.member.1.ContextKeyType': 'text',
        }),
      ),
    ).toThrow("Value 'text' at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint");
  });

  it('refuses bad input the way IAM does', () => {
    const sim = new IamSimulator('111122223333');
    const fails = (values: Record<string, string>) => {
      try {
        sim.handle(query(values));
      } catch (error) {
        const e = error as { code: string; status: number; message: string };
        return `${e.status} ${e.code}: ${e.message}`;
      }
      return 'no error';
    };
    expect(fails({ ...actions('rds:X') })).toBe(
      '400 MissingParameter: The request must contain the parameter PolicySourceArn.',
    );
    expect(fails({ PolicySourceArn: ROLE })).toBe(
      '400 MissingParameter: The request must contain the parameter ActionNames.',
    );
    expect(fails({ PolicySourceArn: ROLE, ...actions('FailoverGlobalCluster') })).toBe(
      '400 InvalidInput: Invalid action name FailoverGlobalCluster: expected service:Action.',
    );
    expect(fails({ PolicySourceArn: 'arn:aws:iam::111122223333:user/bob', ...actions('rds:X') })).toBe(
      '404 NoSuchEntity: The user with name bob cannot be found.',
    );
    expect(fails({ PolicySourceArn: ROLE, ...actions('rds:X'), MaxItems: '0' })).toBe(
      '400 ValidationError: MaxItems must be an integer from 1 to 1000, got 0.',
    );
    expect(fails({ PolicySourceArn: ROLE, ...actions('rds:X', 'rds:Y'), Marker: 'bm90LWEtbWFya2Vy' })).toBe(
      '400 InvalidInput: Invalid Marker bm90LWEtbWFya2Vy: pass the Marker of the previous page.',
    );
  });

  it('the caller needs iam:SimulatePrincipalPolicy itself; a malformed policy is refused and the old one kept', () => {
    const sim = new IamSimulator('111122223333');
    expect(() => sim.setPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] })).toThrow(
      'Statement[0]: exactly one of Action and NotAction is required',
    );
    expect(sim.policy.id).toBe('luneo-drill-policy');
    expect(sim.policy.statements).toHaveLength(7);
    sim.setPolicy({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'rds:*', Resource: '*' }],
    });
    expect(() => sim.handle(query({ PolicySourceArn: ROLE, ...actions('rds:X') }))).toThrow(
      'User: arn:aws:sts::111122223333:assumed-role/luneo-drill/lab is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::111122223333:role/luneo-drill',
    );
    sim.setPolicy(null);
    expect(sim.handle(query({ PolicySourceArn: ROLE, ...actions('rds:FailoverGlobalCluster') }))).toContain(
      '<EvalDecision>allowed</EvalDecision>',
    );
  });
});
