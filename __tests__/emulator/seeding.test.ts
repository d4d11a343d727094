import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import {
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import {
  describeOrganization,
  issuedSecrets,
  memberAdminCredentials,
  readBucketPolicy,
  readRootCredentials,
  seedLockedBucket,
  seedOrganization,
  seedRootCredentials,
} from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRoot, clients } from './aws';

describeWithSandbox('the seeding API', () => {
  const sandbox = useSandbox();

  it('seeds 1,000 member accounts over OUs in one call, visible through Organizations', async () => {
    const started = Date.now();
    const org = await seedOrganization(sandbox.endpoint, {
      accounts: 1000,
      ous: ['Prod', 'Dev'],
      suspendedAccounts: 3,
    });
    process.stderr.write(`[seeding] 1,000 member accounts seeded in ${Date.now() - started} ms\n`);

    expect(org.accounts).toHaveLength(1000);
    expect(new Set(org.accounts.map((a) => a.id)).size).toBe(1000);
    expect(org.accounts.map((a) => a.id)).not.toContain(org.managementAccountId);
    expect(org.accounts.filter((a) => a.state === 'SUSPENDED')).toHaveLength(3);
    expect(org.ous.map((o) => o.name)).toEqual(['Prod', 'Dev']);
    expect(new Set(org.accounts.map((a) => a.ouId))).toEqual(new Set(org.ous.map((o) => o.id)));

    const { organizations } = clients(sandbox.endpoint);
    const listed: string[] = [];
    for await (const page of paginateListAccounts({ client: organizations }, {})) {
      listed.push(...(page.Accounts ?? []).map((a) => a.Id!));
    }
    // ListAccounts returns the management account too.
    expect(listed).toHaveLength(1001);
    expect(listed).toContain(org.managementAccountId);
    const ous = await organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId }));
    expect(ous.OrganizationalUnits?.map((o) => o.Name).sort()).toEqual(['Dev', 'Prod']);
    expect((await organizations.send(new ListAccountsCommand({ MaxResults: 5 }))).Accounts).toHaveLength(5);

    // Seeding again extends the same organization.
    const more = await seedOrganization(sandbox.endpoint, { accounts: 2, ous: ['Prod'] });
    expect(more.organizationId).toBe(org.organizationId);
    expect(more.accounts).toHaveLength(1002);
    expect(await describeOrganization(sandbox.endpoint)).toMatchObject({
      organizationId: org.organizationId,
      trustedAccessForIam: true,
      features: ['RootCredentialsManagement', 'RootSessions'],
      accounts: 1002,
      suspendedAccounts: 3,
    });
  });

  it('refuses bad seeding input with a message naming the value', async () => {
    await expect(seedOrganization(sandbox.endpoint, { accounts: -1 })).rejects.toThrow(
      /accounts must be an integer from 0 to 20000, got -1/,
    );
    await expect(
      seedOrganization(sandbox.endpoint, { accounts: 1, features: ['Everything' as 'RootSessions'] }),
    ).rejects.toThrow(/Everything/);
    await expect(seedRootCredentials(sandbox.endpoint, '12345', {})).rejects.toThrow(/12 digits/);
  });

  it('replaces root credentials and reads them back as ground truth', async () => {
    const [account] = (await seedOrganization(sandbox.endpoint, { accounts: 0 })).accounts;
    await seedRootCredentials(sandbox.endpoint, account.id, {
      loginProfile: true,
      accessKeys: 2,
      mfaDevices: 1,
      signingCertificates: 2,
    });
    expect(await readRootCredentials(sandbox.endpoint, account.id)).toEqual({
      loginProfile: true,
      accessKeys: 2,
      mfaDevices: 1,
      signingCertificates: 2,
    });
    await seedRootCredentials(sandbox.endpoint, account.id, { accessKeys: 1 });
    expect(await readRootCredentials(sandbox.endpoint, account.id)).toEqual({
      loginProfile: false,
      accessKeys: 1,
      mfaDevices: 0,
      signingCertificates: 0,
    });
  });

  it('seeds the locked-out bucket with a Deny s3:* for everyone but the pipeline role', async () => {
    const [account] = (await seedOrganization(sandbox.endpoint, { accounts: 0 })).accounts;
    const pipelineRoleArn = `arn:aws:iam::${account.id}:role/deployer`;
    const { bucket, policy } = await seedLockedBucket(sandbox.endpoint, account.id, {
      bucket: 'locked-1',
      pipelineRoleArn,
    });
    const [statement] = JSON.parse(policy).Statement;
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect(JSON.stringify(statement.Condition)).toContain(pipelineRoleArn);
    expect(await readBucketPolicy(sandbox.endpoint, account.id, bucket)).toBe(policy);
    const root = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, account.id, 'S3UnlockBucketPolicy'));
    expect((await root.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);
  });

  it('records every secret key and session token it issues', async () => {
    const [account] = (await seedOrganization(sandbox.endpoint, { accounts: 0 })).accounts;
    const root = await assumeRoot(sandbox.endpoint, account.id, 'S3UnlockBucketPolicy');
    const admin = await memberAdminCredentials(sandbox.endpoint, account.id);
    const secrets = await issuedSecrets(sandbox.endpoint);
    expect(secrets).toEqual(expect.arrayContaining([root.secretAccessKey, root.sessionToken, admin.secretAccessKey]));
  });
});
