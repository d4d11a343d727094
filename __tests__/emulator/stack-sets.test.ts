/**
 * Service-managed CloudFormation StackSets as the terraform provider drives them (the SDK's CloudFormation client
 * is not a dependency, so this speaks the query protocol directly; the sandbox reads the account from the access
 * key in the Authorization header and does not check signatures). The full terraform round trip is in
 * __tests__/modules/sandbox-e2e.test.ts.
 */
import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { memberAdminCredentials, seedOrganization, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { clients } from './aws';

const TEMPLATE = JSON.stringify({
  Resources: {
    Spoke: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'StackSetSpoke',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
  },
});

interface Reply {
  status: number;
  body: string;
}

async function cfn(endpoint: string, params: Record<string, string>, accessKey = 'testing'): Promise<Reply> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/20260101/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: '2010-05-15', ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** The text of every `<tag>` element, in order. */
function all(body: string, tag: string): string[] {
  return [...body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
}

function serviceManaged(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Action: 'CreateStackSet',
    StackSetName: name,
    TemplateBody: TEMPLATE,
    PermissionModel: 'SERVICE_MANAGED',
    'AutoDeployment.Enabled': 'true',
    'AutoDeployment.RetainStacksOnAccountRemoval': 'false',
    'Capabilities.member.1': 'CAPABILITY_NAMED_IAM',
    ...extra,
  };
}

describeWithSandbox('CloudFormation service-managed StackSets', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 3, ous: ['Workloads', 'Sandbox'] });
  });

  test('AutoDeployment, Capabilities and PermissionModel come back from DescribeStackSet', async () => {
    expect((await cfn(sandbox.endpoint, serviceManaged('described'))).status).toBe(200);
    const { body } = await cfn(sandbox.endpoint, { Action: 'DescribeStackSet', StackSetName: 'described' });
    expect(body).toMatch(
      /<AutoDeployment>\s*<Enabled>true<\/Enabled>\s*<RetainStacksOnAccountRemoval>false<\/RetainStacksOnAccountRemoval>\s*<\/AutoDeployment>/,
    );
    expect(all(body, 'member')).toContain('CAPABILITY_NAMED_IAM');
    expect(all(body, 'PermissionModel')).toEqual(['SERVICE_MANAGED']);
  });

  test('OU targets: one instance per member account of the OU, listed with its OU, deleted by OU', async () => {
    const ou = org.ous[0].id;
    const members = org.accounts.filter((a) => a.ouId === ou).map((a) => a.id);
    expect(members.length).toBeGreaterThan(0);
    await cfn(sandbox.endpoint, serviceManaged('targets'));
    const created = await cfn(sandbox.endpoint, {
      Action: 'CreateStackInstances',
      StackSetName: 'targets',
      'Regions.member.1': 'us-east-1',
      'DeploymentTargets.OrganizationalUnitIds.member.1': ou,
    });
    expect(created.status).toBe(200);
    const [operationId] = all(created.body, 'OperationId');
    const operation = await cfn(sandbox.endpoint, {
      Action: 'DescribeStackSetOperation',
      StackSetName: 'targets',
      OperationId: operationId,
    });
    expect(all(operation.body, 'Status')).toEqual(['SUCCEEDED']);

    const list = (region: string) =>
      cfn(sandbox.endpoint, { Action: 'ListStackInstances', StackSetName: 'targets', StackInstanceRegion: region });
    const listed = await list('us-east-1');
    expect(all(listed.body, 'Account').sort()).toEqual([...members].sort());
    expect(all(listed.body, 'OrganizationalUnitId')).toEqual(members.map(() => ou));
    expect(all((await list('eu-west-1')).body, 'Account')).toEqual([]);

    // A service-managed StackSet is addressed by OU, never by account (AWS refuses, and so does the sandbox).
    const byAccount = await cfn(sandbox.endpoint, {
      Action: 'DeleteStackInstances',
      StackSetName: 'targets',
      'Regions.member.1': 'us-east-1',
      'Accounts.member.1': members[0],
      RetainStacks: 'false',
    });
    expect(byAccount.status).toBe(400);
    expect(byAccount.body).toContain('can only have OrganizationalUnit as target');
    expect((await cfn(sandbox.endpoint, { Action: 'DeleteStackSet', StackSetName: 'targets' })).body).toContain(
      'StackSetNotEmptyException',
    );

    const deleted = await cfn(sandbox.endpoint, {
      Action: 'DeleteStackInstances',
      StackSetName: 'targets',
      'Regions.member.1': 'us-east-1',
      'DeploymentTargets.OrganizationalUnitIds.member.1': ou,
      RetainStacks: 'false',
      OperationId: 'delete-by-ou',
    });
    expect(all(deleted.body, 'OperationId')).toEqual(['delete-by-ou']);
    expect(all((await list('us-east-1')).body, 'Account')).toEqual([]);
    expect((await cfn(sandbox.endpoint, { Action: 'DeleteStackSet', StackSetName: 'targets' })).status).toBe(200);
  });

  test('CallAs: enum checked; DELEGATED_ADMIN only for the registered StackSets delegated administrator', async () => {
    const bogus = await cfn(sandbox.endpoint, serviceManaged('bogus', { CallAs: 'ROOT' }));
    expect(bogus.status).toBe(400);
    expect(bogus.body).toContain("Value 'ROOT' at 'callAs' failed to satisfy constraint");

    const notAdmin = await cfn(sandbox.endpoint, serviceManaged('not-admin', { CallAs: 'DELEGATED_ADMIN' }));
    expect(notAdmin.status).toBe(400);
    expect(notAdmin.body).toContain('Failed to check account is Delegated Administrator');

    const admin = org.accounts[0].id;
    await clients(sandbox.endpoint).organizations.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: admin,
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    const { accessKeyId } = await memberAdminCredentials(sandbox.endpoint, admin);
    const asAdmin = await cfn(
      sandbox.endpoint,
      serviceManaged('delegated', { CallAs: 'DELEGATED_ADMIN' }),
      accessKeyId,
    );
    expect(asAdmin.status).toBe(200);
    const described = await cfn(
      sandbox.endpoint,
      { Action: 'DescribeStackSet', StackSetName: 'delegated', CallAs: 'DELEGATED_ADMIN' },
      accessKeyId,
    );
    expect(all(described.body, 'StackSetName')).toEqual(['delegated']);
  });
});
