import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { memberAdminCredentials, seedOrganization, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRole as assume, clients, expectAwsError } from './aws';

const OUTSIDER = '999999999999';

function trust(statement: Record<string, unknown>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }],
  });
}

describeWithSandbox('sts:AssumeRole evaluates trust policies (hub and spoke)', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;
  let spokeAccount: string;
  let hubArn: string;
  let spokeArn: string;
  let orgWideArn: string;

  beforeAll(async () => {
    const endpoint = sandbox.endpoint;
    org = await seedOrganization(endpoint, { accounts: 2 });
    spokeAccount = org.accounts[0].id;
    const management = clients(endpoint).iam;
    hubArn = (
      await management.send(
        new CreateRoleCommand({
          RoleName: 'hub',
          AssumeRolePolicyDocument: trust({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } }),
        }),
      )
    ).Role!.Arn!;
    // Cross-account, the hub's own identity policy must allow the AssumeRole too (as the hub-spoke module grants).
    await management.send(
      new PutRolePolicyCommand({
        RoleName: 'hub',
        PolicyName: 'assume-spoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/spoke' }],
        }),
      }),
    );
    const spoke = clients(endpoint, await memberAdminCredentials(endpoint, spokeAccount)).iam;
    spokeArn = (
      await spoke.send(
        new CreateRoleCommand({
          RoleName: 'spoke',
          AssumeRolePolicyDocument: trust({
            Principal: { AWS: hubArn },
            Condition: { StringEquals: { 'sts:ExternalId': 'ext-123', 'aws:PrincipalOrgID': org.organizationId } },
          }),
        }),
      )
    ).Role!.Arn!;
    orgWideArn = (
      await spoke.send(
        new CreateRoleCommand({
          RoleName: 'org-wide',
          AssumeRolePolicyDocument: trust({
            Principal: '*',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': org.organizationId } },
          }),
        }),
      )
    ).Role!.Arn!;
  });

  it('lets the hub role assume the spoke role with the right external id', async () => {
    const hub = clients(sandbox.endpoint, await assume(clients(sandbox.endpoint).sts, hubArn));
    const spoke = clients(sandbox.endpoint, await assume(hub.sts, spokeArn, 'ext-123'));
    const identity = await spoke.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(spokeAccount);
    expect(identity.Arn).toBe(`arn:aws:sts::${spokeAccount}:assumed-role/spoke/test`);
  });

  it('refuses a missing or wrong external id', async () => {
    const hub = clients(sandbox.endpoint, await assume(clients(sandbox.endpoint).sts, hubArn));
    await expectAwsError(assume(hub.sts, spokeArn), 'AccessDenied', 403);
    await expectAwsError(assume(hub.sts, spokeArn, 'ext-999'), 'AccessDenied', 403);
  });

  it('refuses a principal the trust policy does not name, and a role that does not exist', async () => {
    const management = clients(sandbox.endpoint).sts;
    const error = await expectAwsError(assume(management, spokeArn, 'ext-123'), 'AccessDenied', 403);
    expect(error.message).toContain(spokeArn);
    await expectAwsError(assume(management, `arn:aws:iam::${spokeAccount}:role/missing`), 'AccessDenied', 403);
  });

  it('checks aws:PrincipalOrgID against the caller account’s organization', async () => {
    const insider = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, org.accounts[1].id));
    await assume(insider.sts, orgWideArn);
    const outsider = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, OUTSIDER));
    await expectAwsError(assume(outsider.sts, orgWideArn), 'AccessDenied', 403);
  });

  it('keeps OrganizationAccountAccessRole usable from the management account', async () => {
    const role = `arn:aws:iam::${spokeAccount}:role/OrganizationAccountAccessRole`;
    const session = clients(sandbox.endpoint, await assume(clients(sandbox.endpoint).sts, role));
    expect((await session.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(spokeAccount);
  });

  it('expires AssumeRole sessions after their duration', async () => {
    const hub = clients(sandbox.endpoint, await assume(clients(sandbox.endpoint).sts, hubArn, undefined, 1));
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await expectAwsError(hub.sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
  });
});
