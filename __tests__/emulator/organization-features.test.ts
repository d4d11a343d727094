import {
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateOrganizationalUnitCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { memberAdminCredentials, seedOrganization, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { clients, expectAwsError } from './aws';

describeWithSandbox('centralized root access: trusted access and the IAM organization features', () => {
  const sandbox = useSandbox();
  let org: SeededOrg;

  it('answers OrganizationNotFoundException before any organization exists', async () => {
    await expectAwsError(
      clients(sandbox.endpoint).iam.send(new ListOrganizationsFeaturesCommand({})),
      'OrganizationNotFoundException',
      400,
    );
  });

  it('answers ServiceAccessNotEnabledException until trusted access for IAM is enabled', async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 3, trustedAccessForIam: false, features: [] });
    const { iam, organizations } = clients(sandbox.endpoint);
    await expectAwsError(iam.send(new ListOrganizationsFeaturesCommand({})), 'ServiceAccessNotEnabledException', 400);
    await expectAwsError(
      iam.send(new EnableOrganizationsRootSessionsCommand({})),
      'ServiceAccessNotEnabledException',
      400,
    );

    await organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    const access = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain('iam.amazonaws.com');
    expect(await iam.send(new ListOrganizationsFeaturesCommand({}))).toMatchObject({
      OrganizationId: org.organizationId,
      EnabledFeatures: [],
    });
  });

  it('enables and disables each feature, and lists what is enabled', async () => {
    const { iam } = clients(sandbox.endpoint);
    const enabled = await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect(enabled).toMatchObject({
      OrganizationId: org.organizationId,
      EnabledFeatures: ['RootCredentialsManagement'],
    });
    await iam.send(new EnableOrganizationsRootSessionsCommand({}));
    expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
      'RootCredentialsManagement',
      'RootSessions',
    ]);
    const disabled = await iam.send(new DisableOrganizationsRootSessionsCommand({}));
    expect(disabled.EnabledFeatures).toEqual(['RootCredentialsManagement']);
    expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
      'RootCredentialsManagement',
    ]);
  });

  it('refuses member accounts, and lets the IAM delegated administrator list but not change', async () => {
    const caller = org.accounts[0].id;
    const member = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, caller));
    await expectAwsError(
      member.iam.send(new ListOrganizationsFeaturesCommand({})),
      'AccountNotManagementOrDelegatedAdministratorException',
      400,
    );
    await expectAwsError(
      member.iam.send(new EnableOrganizationsRootSessionsCommand({})),
      'AccountNotManagementOrDelegatedAdministratorException',
      400,
    );

    await clients(sandbox.endpoint).organizations.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: caller, ServicePrincipal: 'iam.amazonaws.com' }),
    );
    expect((await member.iam.send(new ListOrganizationsFeaturesCommand({}))).OrganizationId).toBe(org.organizationId);
    await expectAwsError(
      member.iam.send(new EnableOrganizationsRootSessionsCommand({})),
      'CallerIsNotManagementAccountException',
      400,
    );
  });

  it("answers a delegated administrator's Organizations reads from the organization; other members are refused", async () => {
    const [admin, other, stackSetsAdmin] = org.accounts.map((a) => a.id);
    const management = clients(sandbox.endpoint);
    const da = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, admin));
    const everyone = [org.managementAccountId, ...org.accounts.map((a) => a.id)].sort();
    const ids = (list: { Id?: string }[] | undefined) => (list ?? []).map((a) => a.Id).sort();

    // moto answered a member from its own empty backend: ListAccounts [], DescribeAccount AccountNotFound.
    expect(ids((await da.organizations.send(new ListAccountsCommand({}))).Accounts)).toEqual(everyone);
    expect((await da.organizations.send(new DescribeAccountCommand({ AccountId: other }))).Account?.Id).toBe(other);
    expect(ids((await da.organizations.send(new ListRootsCommand({}))).Roots)).toEqual([org.rootId]);
    const ous = await da.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId }));
    expect(ids(ous.OrganizationalUnits)).toEqual(org.ous.map((ou) => ou.id).sort());
    const inOu = await da.organizations.send(new ListAccountsForParentCommand({ ParentId: org.ous[0].id }));
    expect(ids(inOu.Accounts)).toEqual(
      org.accounts
        .filter((a) => a.ouId === org.ous[0].id)
        .map((a) => a.id)
        .sort(),
    );
    const admins = await da.organizations.send(
      new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'iam.amazonaws.com' }),
    );
    expect(ids(admins.DelegatedAdministrators)).toEqual([admin]);
    const access = await da.organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toContain('iam.amazonaws.com');
    expect(
      (await da.organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies,
    ).toEqual(
      (await management.organizations.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY' }))).Policies,
    );

    // Reads only: every change stays the management account's, and none is made.
    for (const change of [
      () => da.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'sso.amazonaws.com' })),
      () =>
        da.organizations.send(
          new RegisterDelegatedAdministratorCommand({ AccountId: other, ServicePrincipal: 'iam.amazonaws.com' }),
        ),
      () => da.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: org.rootId, Name: 'by-the-admin' })),
    ]) {
      await expectAwsError(change(), 'AccessDeniedException', 400);
    }
    const after = await management.organizations.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId }),
    );
    expect(ids(after.OrganizationalUnits)).toEqual(org.ous.map((ou) => ou.id).sort());
    const principals = await management.organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(principals.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).not.toContain('sso.amazonaws.com');

    // Any member may describe the organization; nothing else.
    const member = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, other));
    expect((await member.organizations.send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe(
      org.organizationId,
    );
    await expectAwsError(member.organizations.send(new ListAccountsCommand({})), 'AccessDeniedException', 400);
    await expectAwsError(
      member.organizations.send(new DescribeAccountCommand({ AccountId: admin })),
      'AccessDeniedException',
      400,
    );
    await expectAwsError(
      member.organizations.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'iam.amazonaws.com' })),
      'AccessDeniedException',
      400,
    );

    // A delegated administrator of another service reads the organization too, but is not IAM's.
    await management.organizations.send(
      new RegisterDelegatedAdministratorCommand({
        AccountId: stackSetsAdmin,
        ServicePrincipal: 'member.org.stacksets.cloudformation.amazonaws.com',
      }),
    );
    const stackSets = clients(sandbox.endpoint, await memberAdminCredentials(sandbox.endpoint, stackSetsAdmin));
    expect(ids((await stackSets.organizations.send(new ListAccountsCommand({}))).Accounts)).toEqual(everyone);
    await expectAwsError(
      stackSets.iam.send(new ListOrganizationsFeaturesCommand({})),
      'AccountNotManagementOrDelegatedAdministratorException',
      400,
    );
  });

  it('stops answering once trusted access for IAM is disabled again', async () => {
    const { iam, organizations } = clients(sandbox.endpoint);
    await organizations.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    const access = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal) ?? []).not.toContain('iam.amazonaws.com');
    await expectAwsError(iam.send(new ListOrganizationsFeaturesCommand({})), 'ServiceAccessNotEnabledException', 400);
  });
});
