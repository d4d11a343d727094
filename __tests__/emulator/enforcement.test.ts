/**
 * The sandbox refuses what AWS refuses: identity policies, AssumeRoot permissions, resource policies, account
 * boundaries, SCPs and every statement of the task policies, each with AWS's error code in the protocol of the
 * service called. emulator/README.md lists these behaviours with the test that proves each.
 */
import {
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateAccessKeyCommand,
  AddUserToGroupCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListAccessKeysCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreatePolicyCommand as CreateScpCommand,
  DescribeCreateAccountStatusCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
} from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRootCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  readBucketPolicy,
  readQueuePolicy,
  seedLockedBucket,
  seedLockedQueue,
  seedOrganization,
  seedRootCredentials,
  setEnforcement,
  type SeededOrg,
} from '../../emulator/seed';
import { renderOperatorPolicy } from '../../modules/root-operator';
import { taskPolicyArn } from '../../runbooks/engine/tasks';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRole, assumeRoot, clients, expectAwsError, type Credentials } from './aws';

const MANAGEMENT = '123456789012';
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trustManagement = doc({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
  Action: 'sts:AssumeRole',
});

describeWithSandbox('the strict sandbox', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;
  let member: string;
  let other: string;

  /** The member account's admin: OrganizationAccountAccessRole, assumed from the management account. */
  const memberAdmin = async (account: string): Promise<Credentials> =>
    assumeRole(clients(sandbox.endpoint).sts, `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`);

  /** An IAM user of `account` with the given inline policy (created by the member admin), and its keys. */
  const userWith = async (iam: IAMClient, name: string, policy: string): Promise<Credentials> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: policy }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  };

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 3, ous: ['Workloads'], suspendedAccounts: 1 });
    [member, other] = org.accounts.map((a) => a.id);
  });

  describe('principals', () => {
    it('gives every member account OrganizationAccountAccessRole: trusts the management account, AdministratorAccess', async () => {
      const { organizations, iam } = clients(sandbox.endpoint);
      const { CreateAccountStatus } = await organizations.send(
        new CreateAccountCommand({ AccountName: 'created', Email: 'created@example.com' }),
      );
      const status = await organizations.send(
        new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id! }),
      );
      for (const account of [member, status.CreateAccountStatus!.AccountId!]) {
        const admin = clients(sandbox.endpoint, await memberAdmin(account));
        const role = await admin.iam.send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }));
        expect(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).toContain(`arn:aws:iam::${MANAGEMENT}:root`);
        const attached = await admin.iam.send(
          new ListAttachedRolePoliciesCommand({ RoleName: 'OrganizationAccountAccessRole' }),
        );
        expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([
          'arn:aws:iam::aws:policy/AdministratorAccess',
        ]);
        // An admin indeed: IAM, S3 and SQS in its own account.
        await admin.iam.send(new ListRolesCommand({}));
        await admin.s3.send(new CreateBucketCommand({ Bucket: `admin-bucket-${account}` }));
        await admin.sqs.send(new CreateQueueCommand({ QueueName: 'admin-queue' }));
      }
      // The management account's own credentials act as its administrator, as before.
      await iam.send(new ListUsersCommand({}));
    });

    it('evaluates IAM users: inline, managed and group policies, NotAction, NotResource, conditions', async () => {
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      const readerKeys = await userWith(
        admin.iam,
        'reader',
        doc(
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::user-*' },
          {
            Effect: 'Allow',
            NotAction: ['s3:*', 'iam:*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
          },
          { Effect: 'Deny', Action: 'sqs:SendMessage', NotResource: `arn:aws:sqs:us-east-1:${member}:allowed-*` },
        ),
      );
      const reader = clients(sandbox.endpoint, readerKeys);
      await admin.s3.send(new CreateBucketCommand({ Bucket: 'user-bucket' }));
      await admin.sqs.send(new CreateQueueCommand({ QueueName: 'allowed-queue' }));
      const { QueueUrl: blocked } = await admin.sqs.send(new CreateQueueCommand({ QueueName: 'blocked-queue' }));

      await reader.s3.send(new ListObjectsV2Command({ Bucket: 'user-bucket' }));
      const denied = await expectAwsError(
        reader.s3.send(new PutObjectCommand({ Bucket: 'user-bucket', Key: 'k', Body: 'x' })),
        'AccessDenied',
        403,
      );
      expect(denied.message).toContain(`arn:aws:iam::${member}:user/reader is not authorized to perform: s3:PutObject`);
      expect(denied.message).toContain('because no identity-based policy allows');
      // NotAction with a region condition: SQS and STS pass in us-east-1 ...
      await reader.sqs.send(
        new SendMessageCommand({ QueueUrl: `${sandbox.endpoint}/${member}/allowed-queue`, MessageBody: 'x' }),
      );
      // ... but the Deny with NotResource wins for any other queue, in SQS's JSON shape.
      const explicit = await expectAwsError(
        reader.sqs.send(new SendMessageCommand({ QueueUrl: blocked, MessageBody: 'x' })),
        'AccessDenied',
        403,
      );
      expect(explicit.message).toContain('with an explicit deny in an identity-based policy');
      await expectAwsError(reader.iam.send(new ListUsersCommand({})), 'AccessDenied', 403);
      // The same call signed for another region fails the aws:RequestedRegion condition.
      const elsewhere = new SQSClient({
        endpoint: sandbox.endpoint,
        region: 'eu-west-1',
        credentials: readerKeys,
        maxAttempts: 1,
      });
      await expectAwsError(elsewhere.send(new ListQueuesCommand({})), 'AccessDenied', 403);
      await reader.sqs.send(new ListQueuesCommand({}));

      // A group's policy and an attached managed policy count; a permissions boundary caps both.
      const { Policy } = await admin.iam.send(
        new CreatePolicyCommand({
          PolicyName: 'list-users',
          PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }),
        }),
      );
      await admin.iam.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: Policy!.Arn! }));
      await reader.iam.send(new ListUsersCommand({}));
      await admin.iam.send(new CreateGroupCommand({ GroupName: 'key-readers' }));
      await admin.iam.send(
        new PutGroupPolicyCommand({
          GroupName: 'key-readers',
          PolicyName: 'keys',
          PolicyDocument: doc({
            Effect: 'Allow',
            Action: 'iam:ListAccessKeys',
            Resource: `arn:aws:iam::${member}:user/\${aws:username}`,
          }),
        }),
      );
      await expectAwsError(reader.iam.send(new ListAccessKeysCommand({})), 'AccessDenied', 403);
      await admin.iam.send(new AddUserToGroupCommand({ GroupName: 'key-readers', UserName: 'reader' }));
      await reader.iam.send(new ListAccessKeysCommand({}));
      await expectAwsError(
        reader.iam.send(new ListAccessKeysCommand({ UserName: 'someone-else' })),
        'AccessDenied',
        403,
      );
    });

    it('evaluates assumed-role sessions: role policies, boundary, aws:PrincipalOrgID, aws:MultiFactorAuthPresent', async () => {
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      await admin.iam.send(
        new CreateRoleCommand({ RoleName: 'org-reader', AssumeRolePolicyDocument: trustManagement }),
      );
      await admin.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'org-reader',
          PolicyName: 'inline',
          PolicyDocument: doc(
            {
              Effect: 'Allow',
              Action: 'sqs:CreateQueue',
              Resource: '*',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': org.organizationId } },
            },
            {
              Effect: 'Allow',
              Action: 's3:CreateBucket',
              Resource: '*',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            },
          ),
        }),
      );
      const session = clients(
        sandbox.endpoint,
        await assumeRole(clients(sandbox.endpoint).sts, `arn:aws:iam::${member}:role/org-reader`),
      );
      await session.sqs.send(new CreateQueueCommand({ QueueName: 'org-reader-queue' }));
      // A permissions boundary caps what the role's own policies allow.
      const { Policy: boundary } = await admin.iam.send(
        new CreatePolicyCommand({
          PolicyName: 'boundary',
          PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        }),
      );
      await admin.iam.send(
        new PutRolePermissionsBoundaryCommand({ RoleName: 'org-reader', PermissionsBoundary: boundary!.Arn! }),
      );
      const capped = await expectAwsError(
        session.sqs.send(new CreateQueueCommand({ QueueName: 'org-reader-queue-2' })),
        'AccessDenied',
        403,
      );
      expect(capped.message).toContain('because no permissions boundary allows');
      // The session was started without MFA: aws:MultiFactorAuthPresent is "false".
      await expectAwsError(session.s3.send(new CreateBucketCommand({ Bucket: 'mfa-only' })), 'AccessDenied', 403);
    });

    it('refuses a deleted or replaced root access key (InvalidClientTokenId)', async () => {
      const { accessKeys } = await seedRootCredentials(sandbox.endpoint, other, { accessKeys: 1 });
      const root = clients(sandbox.endpoint, accessKeys[0]);
      expect((await root.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${other}:root`);
      await seedRootCredentials(sandbox.endpoint, other, {});
      await expectAwsError(root.sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
      await expectAwsError(
        root.s3.send(new CreateBucketCommand({ Bucket: 'replaced-key' })),
        'InvalidAccessKeyId',
        403,
      );
    });
  });

  describe('sts:AssumeRoot', () => {
    it('needs an identity-policy Allow on the target root whose sts:TaskPolicyArn condition holds', async () => {
      const { iam, sts } = clients(sandbox.endpoint);
      await iam.send(new CreateRoleCommand({ RoleName: 'AuditOperator', AssumeRolePolicyDocument: trustManagement }));
      // The root-operator module's own permissions policy, audit-only profile.
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'AuditOperator',
          PolicyName: 'audit-only',
          PolicyDocument: renderOperatorPolicy({ profile: 'audit-only' }),
        }),
      );
      await iam.send(new CreateRoleCommand({ RoleName: 'NoPermissions', AssumeRolePolicyDocument: trustManagement }));
      const operator = clients(
        sandbox.endpoint,
        await assumeRole(sts, `arn:aws:iam::${MANAGEMENT}:role/AuditOperator`),
      );
      const assume = (client: typeof operator, task: Parameters<typeof taskPolicyArn>[0]) =>
        client.sts.send(
          new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: taskPolicyArn(task) } }),
        );

      expect((await assume(operator, 'IAMAuditRootUserCredentials')).Credentials?.AccessKeyId).toMatch(/^ASIA/);
      const refused = await expectAwsError(assume(operator, 'S3UnlockBucketPolicy'), 'AccessDenied', 403);
      expect(refused.message).toContain(`sts:AssumeRoot on resource: arn:aws:iam::${member}:root`);
      const nobody = clients(sandbox.endpoint, await assumeRole(sts, `arn:aws:iam::${MANAGEMENT}:role/NoPermissions`));
      await expectAwsError(assume(nobody, 'IAMAuditRootUserCredentials'), 'AccessDenied', 403);
    });

    it('refuses a SUSPENDED account and the management account as targets', async () => {
      const suspended = org.accounts.find((a) => a.state === 'SUSPENDED')!.id;
      const error = await expectAwsError(
        assumeRoot(sandbox.endpoint, suspended, 'S3UnlockBucketPolicy'),
        'AccessDenied',
        403,
      );
      expect(error.message).toContain('SUSPENDED');
      await expectAwsError(assumeRoot(sandbox.endpoint, MANAGEMENT, 'S3UnlockBucketPolicy'), 'AccessDenied', 403);
    });
  });

  describe('resource policies', () => {
    it('locks the member admin out of the DenyAllExceptPipeline bucket; the owner root session keeps the policy calls', async () => {
      const { bucket, policy } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'locked-prod' });
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      const open = doc({
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      });
      for (const call of [
        () => admin.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'data.csv' })),
        () => admin.s3.send(new ListObjectsV2Command({ Bucket: bucket })),
        () => admin.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
        () => admin.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: open })),
        () => admin.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })),
      ]) {
        const error = await expectAwsError(call(), 'AccessDenied', 403);
        expect(error.message).toContain('with an explicit deny in a resource-based policy');
      }
      expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBe(policy);

      const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'));
      expect(
        (await root.s3.send(new GetBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: member }))).Policy,
      ).toBe(policy);
      await root.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy, ExpectedBucketOwner: member }));
      await root.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: member }));
      expect(await readBucketPolicy(sandbox.endpoint, member, bucket)).toBeNull();
      // Unlocked: the admin is back in.
      await admin.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    });

    it('lets the exempt pipeline role through the bucket policy', async () => {
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      await admin.iam.send(new CreateRoleCommand({ RoleName: 'pipeline', AssumeRolePolicyDocument: trustManagement }));
      await admin.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'pipeline',
          PolicyName: 's3',
          PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        }),
      );
      const { bucket } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'pipeline-only' });
      const pipeline = clients(
        sandbox.endpoint,
        await assumeRole(clients(sandbox.endpoint).sts, `arn:aws:iam::${member}:role/pipeline`),
      );
      await pipeline.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'artifact', Body: 'x' }));
      expect(
        await (
          await pipeline.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'artifact' }))
        ).Body!.transformToString(),
      ).toBe('x');
    });

    it('locks the member admin out of the locked queue; the owner root session reads and removes the policy', async () => {
      const { queueUrl, policy } = await seedLockedQueue(sandbox.endpoint, member, { queueName: 'locked-orders' });
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      await expectAwsError(
        admin.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Policy'] })),
        'AccessDenied',
        403,
      );
      await expectAwsError(
        admin.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: '' } })),
        'AccessDenied',
        403,
      );
      await expectAwsError(
        admin.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
        'AccessDenied',
        403,
      );

      const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'SQSUnlockQueuePolicy'));
      const read = await root.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Policy'] }),
      );
      expect(read.Attributes?.Policy).toBe(policy);
      await root.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: '' } }));
      expect(await readQueuePolicy(sandbox.endpoint, member, queueUrl)).toBeNull();
      await admin.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    });
  });

  describe('account boundaries', () => {
    it('denies a root session of one account on another account’s bucket and queue, and a wrong ExpectedBucketOwner', async () => {
      const { bucket } = await seedLockedBucket(sandbox.endpoint, other, { bucket: 'other-locked' });
      const { queueUrl } = await seedLockedQueue(sandbox.endpoint, other, { queueName: 'other-queue' });
      const s3Root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'));
      await expectAwsError(s3Root.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
      await expectAwsError(s3Root.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
      expect(await readBucketPolicy(sandbox.endpoint, other, bucket)).not.toBeNull();
      const sqsRoot = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'SQSUnlockQueuePolicy'));
      await expectAwsError(
        sqsRoot.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: '' } })),
        'AccessDenied',
        403,
      );
      expect(await readQueuePolicy(sandbox.endpoint, other, queueUrl)).not.toBeNull();

      // The owner's own root session, told the wrong owner, gets 403 as well.
      const owner = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, other, 'S3UnlockBucketPolicy'));
      await expectAwsError(
        owner.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket, ExpectedBucketOwner: member })),
        'AccessDenied',
        403,
      );
      expect(await readBucketPolicy(sandbox.endpoint, other, bucket)).not.toBeNull();
    });

    it('allows cross-account access only when both the bucket policy and the caller’s identity allow it', async () => {
      const owner = clients(sandbox.endpoint, await memberAdmin(other));
      await owner.s3.send(new CreateBucketCommand({ Bucket: 'shared-data' }));
      await owner.s3.send(new PutObjectCommand({ Bucket: 'shared-data', Key: 'k', Body: 'shared' }));
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      await expectAwsError(
        admin.s3.send(new GetObjectCommand({ Bucket: 'shared-data', Key: 'k' })),
        'AccessDenied',
        403,
      );
      await owner.s3.send(
        new PutBucketPolicyCommand({
          Bucket: 'shared-data',
          Policy: doc({
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${member}:root` },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::shared-data/*',
          }),
        }),
      );
      expect(
        await (
          await admin.s3.send(new GetObjectCommand({ Bucket: 'shared-data', Key: 'k' }))
        ).Body!.transformToString(),
      ).toBe('shared');
      // An identity of that account without its own Allow stays out.
      await admin.iam.send(new CreateRoleCommand({ RoleName: 'empty', AssumeRolePolicyDocument: trustManagement }));
      const empty = clients(
        sandbox.endpoint,
        await assumeRole(clients(sandbox.endpoint).sts, `arn:aws:iam::${member}:role/empty`),
      );
      await expectAwsError(
        empty.s3.send(new GetObjectCommand({ Bucket: 'shared-data', Key: 'k' })),
        'AccessDenied',
        403,
      );
    });
  });

  describe('SCPs', () => {
    it('evaluates the root, OU and account SCPs for member principals, root sessions included; never the management account', async () => {
      const { organizations, s3 } = clients(sandbox.endpoint);
      const { Policy } = await organizations.send(
        new CreateScpCommand({
          Name: 'deny-create-bucket',
          Description: 'test',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: doc({ Effect: 'Deny', Action: ['s3:CreateBucket', 's3:GetBucketPolicy'], Resource: '*' }),
        }),
      );
      await organizations.send(
        new AttachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: org.ous[0].id }),
      );
      try {
        const admin = clients(sandbox.endpoint, await memberAdmin(member));
        const error = await expectAwsError(
          admin.s3.send(new CreateBucketCommand({ Bucket: 'scp-blocked' })),
          'AccessDenied',
          403,
        );
        expect(error.message).toContain('with an explicit deny in a service control policy');
        const { bucket } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'scp-locked' });
        const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'S3UnlockBucketPolicy'));
        await expectAwsError(root.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
        await s3.send(new CreateBucketCommand({ Bucket: 'management-not-bound' }));
      } finally {
        await organizations.send(
          new DetachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: org.ous[0].id }),
        );
      }
      // Without FullAWSAccess on a level, nothing is allowed there (Organizations speaks JSON 1.1).
      await organizations.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: member }));
      try {
        const admin = clients(sandbox.endpoint, await memberAdmin(member));
        const error = await expectAwsError(
          admin.organizations.send(new ListAccountsCommand({})),
          'AccessDeniedException',
          403,
        );
        expect(error.message).toContain('because no service control policy allows');
      } finally {
        await organizations.send(new AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: member }));
      }
    });

    it('sets aws:AssumedRoot only for AssumeRoot sessions: a deny-root SCP stops the root user’s keys, not root sessions', async () => {
      const { organizations } = clients(sandbox.endpoint);
      const { Policy } = await organizations.send(
        new CreateScpCommand({
          Name: 'deny-root-except-assume-root',
          Description: 'test',
          Type: 'SERVICE_CONTROL_POLICY',
          Content: doc({
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' }, Null: { 'aws:AssumedRoot': 'true' } },
          }),
        }),
      );
      await organizations.send(new AttachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: org.rootId }));
      try {
        const { accessKeys } = await seedRootCredentials(sandbox.endpoint, member, { accessKeys: 1 });
        const rootUser = clients(sandbox.endpoint, accessKeys[0]);
        await expectAwsError(
          rootUser.s3.send(new CreateBucketCommand({ Bucket: 'root-user-bucket' })),
          'AccessDenied',
          403,
        );
        await expectAwsError(rootUser.iam.send(new ListAccessKeysCommand({})), 'AccessDenied', 403);
        const session = clients(
          sandbox.endpoint,
          await assumeRoot(sandbox.endpoint, member, 'IAMAuditRootUserCredentials'),
        );
        expect((await session.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(1);
      } finally {
        await organizations.send(
          new DetachPolicyCommand({ PolicyId: Policy!.PolicySummary!.Id!, TargetId: org.rootId }),
        );
      }
    });
  });

  describe('task policies', () => {
    it('applies every statement: the caller’s own queues only, the root user only, the listed actions only', async () => {
      const owner = clients(sandbox.endpoint, await memberAdmin(other));
      const { QueueUrl } = await owner.sqs.send(new CreateQueueCommand({ QueueName: 'shared-queue' }));
      // The queue's owner lets the other account read it: only the task policy's "own queues" statement refuses.
      await owner.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl,
          Attributes: {
            Policy: doc({
              Effect: 'Allow',
              Principal: { AWS: member },
              Action: 'sqs:GetQueueAttributes',
              Resource: `arn:aws:sqs:us-east-1:${other}:shared-queue`,
            }),
          },
        }),
      );
      const admin = clients(sandbox.endpoint, await memberAdmin(member));
      await admin.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, member, 'SQSUnlockQueuePolicy'));
      const error = await expectAwsError(
        root.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })),
        'AccessDenied',
        403,
      );
      expect(error.message).toContain('with an explicit deny in a session policy');

      const audit = clients(
        sandbox.endpoint,
        await assumeRoot(sandbox.endpoint, member, 'IAMAuditRootUserCredentials'),
      );
      await expectAwsError(
        audit.iam.send(new ListAccessKeysCommand({ UserName: 'sandbox-admin' })),
        'AccessDenied',
        403,
      );
      await expectAwsError(audit.iam.send(new ListRolesCommand({})), 'AccessDenied', 403);
    });
  });

  it('can be switched off for measurements only, and is on by default', async () => {
    const { bucket } = await seedLockedBucket(sandbox.endpoint, member, { bucket: 'switch-test' });
    const admin = clients(sandbox.endpoint, await memberAdmin(member));
    await expectAwsError(admin.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
    await setEnforcement(sandbox.endpoint, false);
    try {
      await admin.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    } finally {
      await setEnforcement(sandbox.endpoint, true);
    }
    await expectAwsError(admin.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'AccessDenied', 403);
  });
});
