import { RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { AssumeRootCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { taskPolicyArn } from '../../runbooks/engine/tasks';
import { memberAdminCredentials, seedOrganization, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRoot, clients, expectAwsError } from './aws';

const S3_TASK = taskPolicyArn('S3UnlockBucketPolicy');

describeWithSandbox('sts:AssumeRoot', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;
  let member: string;

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 4 });
    member = org.accounts[0].id;
  });

  const assume = (input: { TargetPrincipal: string; TaskPolicyArn: { arn: string }; DurationSeconds?: number }) =>
    clients(sandbox.endpoint).sts.send(new AssumeRootCommand(input));

  it('returns credentials that act as the member account root, by account id or root ARN', async () => {
    for (const target of [member, `arn:aws:iam::${member}:root`]) {
      const response = await assume({ TargetPrincipal: target, TaskPolicyArn: { arn: S3_TASK } });
      const c = response.Credentials!;
      expect(c.AccessKeyId).toMatch(/^ASIA/);
      // DurationSeconds defaults to 900.
      const lifetime = (c.Expiration!.getTime() - Date.now()) / 1000;
      expect(lifetime).toBeGreaterThan(890);
      expect(lifetime).toBeLessThanOrEqual(901);
      const { sts } = clients(sandbox.endpoint, {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:iam::${member}:root`);
      expect(identity.Account).toBe(member);
    }
  });

  it('refuses a task policy that is not one of the five root-task policies', async () => {
    for (const arn of [
      'arn:aws:iam::123456789012:policy/MyTask',
      'arn:aws:iam::aws:policy/root-task/AdministratorAccess',
    ]) {
      const error = await expectAwsError(
        assume({ TargetPrincipal: member, TaskPolicyArn: { arn } }),
        'AccessDenied',
        403,
      );
      expect(error.message).toContain(arn);
    }
  });

  it('accepts 900 seconds and refuses 901 with a ValidationError', async () => {
    await assume({ TargetPrincipal: member, TaskPolicyArn: { arn: S3_TASK }, DurationSeconds: 900 });
    const error = await expectAwsError(
      assume({ TargetPrincipal: member, TaskPolicyArn: { arn: S3_TASK }, DurationSeconds: 901 }),
      'ValidationError',
      400,
    );
    expect(error.message).toContain("'901' at 'durationSeconds'");
  });

  it('refuses the management account itself as the target', async () => {
    await expectAwsError(
      assume({ TargetPrincipal: org.managementAccountId, TaskPolicyArn: { arn: S3_TASK } }),
      'AccessDenied',
      403,
    );
  });

  it('refuses an account outside the organization and a malformed target', async () => {
    await expectAwsError(
      assume({ TargetPrincipal: '999999999999', TaskPolicyArn: { arn: S3_TASK } }),
      'AccessDenied',
      403,
    );
    await expectAwsError(
      assume({ TargetPrincipal: 'not-an-account', TaskPolicyArn: { arn: S3_TASK } }),
      'ValidationError',
      400,
    );
  });

  it('refuses a caller that is neither the management account nor the IAM delegated administrator', async () => {
    const caller = org.accounts[1].id;
    const memberClients = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, caller));
    const input = { TargetPrincipal: member, TaskPolicyArn: { arn: S3_TASK } };
    await expectAwsError(memberClients.sts.send(new AssumeRootCommand(input)), 'AccessDenied', 403);

    // A delegated administrator of another service is not IAM's: AssumeRoot stays refused.
    await clients(sandbox.endpoint).organizations.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: caller,
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    await expectAwsError(memberClients.sts.send(new AssumeRootCommand(input)), 'AccessDenied', 403);

    await clients(sandbox.endpoint).organizations.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: caller, ServicePrincipal: 'iam.amazonaws.com' }),
    );
    const delegated = await memberClients.sts.send(new AssumeRootCommand(input));
    expect(delegated.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it('refuses a root session calling AssumeRoot (root credentials cannot)', async () => {
    const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'));
    await expectAwsError(
      root.sts.send(new AssumeRootCommand({ TargetPrincipal: org.accounts[2].id, TaskPolicyArn: { arn: S3_TASK } })),
      'AccessDenied',
      403,
    );
  });

  it('expires the session after its duration, for every protocol', async () => {
    const credentials = await assumeRoot(sandbox.endpoint, member, 'IAMAuditRootUserCredentials', 1);
    const root = clients(sandbox.endpoint, credentials);
    await root.iam.send(new GetAccountSummaryCommand({}));
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await expectAwsError(root.iam.send(new GetAccountSummaryCommand({})), 'ExpiredToken', 403);
    await expectAwsError(root.sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
    await expectAwsError(root.s3.send(new ListBucketsCommand({})), 'ExpiredToken', 403);
    await expectAwsError(root.sqs.send(new ListQueuesCommand({})), 'ExpiredToken', 403);
  });
});

describeWithSandbox('sts:AssumeRoot and the organization features', () => {
  const sandbox = useSandbox();
  let member: string;

  beforeAll(async () => {
    member = (await seedOrganization(sandbox.endpoint, { accounts: 1, features: [] })).accounts[0].id;
  });

  it('requires RootSessions for every task and RootCredentialsManagement for credential tasks', async () => {
    const endpoint = sandbox.endpoint;
    await expectAwsError(assumeRoot(endpoint, member, 'S3UnlockBucketPolicy'), 'AccessDenied', 403);

    await seedOrganization(endpoint, { accounts: 0, features: ['RootSessions'] });
    await assumeRoot(endpoint, member, 'S3UnlockBucketPolicy');
    await assumeRoot(endpoint, member, 'SQSUnlockQueuePolicy');
    const error = await expectAwsError(
      assumeRoot(endpoint, member, 'IAMAuditRootUserCredentials'),
      'AccessDenied',
      403,
    );
    expect(error.message).toContain('RootCredentialsManagement');

    await seedOrganization(endpoint, { accounts: 0, features: ['RootCredentialsManagement'] });
    await expectAwsError(assumeRoot(endpoint, member, 'IAMAuditRootUserCredentials'), 'AccessDenied', 403);

    await seedOrganization(endpoint, { accounts: 0 });
    await assumeRoot(endpoint, member, 'IAMAuditRootUserCredentials');
  });

  it('requires trusted access for iam.amazonaws.com', async () => {
    await seedOrganization(sandbox.endpoint, { accounts: 0, trustedAccessForIam: false });
    const error = await expectAwsError(
      assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'),
      'AccessDenied',
      403,
    );
    expect(error.message).toContain('iam.amazonaws.com');
  });
});
