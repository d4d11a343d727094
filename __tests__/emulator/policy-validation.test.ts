/**
 * IAM policy validation accepts the account root as a resource, as AWS does: `sts:AssumeRoot` is granted on
 * `arn:aws:iam::*:root`, which moto's validator alone rejects. Everything else it rejects stays rejected.
 */
import { CreatePolicyCommand } from '@aws-sdk/client-iam';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { clients, expectAwsError } from './aws';

function document(resource: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoot', Resource: resource }],
  });
}

describeWithSandbox('IAM policy validation of the account-root resource', () => {
  const sandbox = useSandbox();

  test.each(['arn:aws:iam::*:root', 'arn:aws:iam::111122223333:root', 'arn:aws-us-gov:iam::*:root'])(
    'accepts %s',
    async (resource) => {
      const { iam } = clients(sandbox.endpoint);
      const name = `root-${resource.replace(/[^a-z0-9]/gi, '')}`;
      const { Policy } = await iam.send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document(resource) }),
      );
      expect(Policy?.PolicyName).toBe(name);
    },
  );

  test.each(['arn:aws:iam::*:rootx', 'arn:aws:iam::*:root/extra', 'arn:aws:iam::12345:root', 'arn:aws:iam::*:nothing'])(
    'still rejects %s',
    async (resource) => {
      const { iam } = clients(sandbox.endpoint);
      const call = iam.send(new CreatePolicyCommand({ PolicyName: 'rejected', PolicyDocument: document(resource) }));
      const error = await expectAwsError(call, 'MalformedPolicyDocumentException');
      expect(error.message).toMatch(/IAM resource path must either be "\*" or start with user\//);
    },
  );
});
