import {
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import {
  DisableAWSServiceAccessCommand,
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
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

  it('stops answering once trusted access for IAM is disabled again', async () => {
    const { iam, organizations } = clients(sandbox.endpoint);
    await organizations.send(new DisableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    const access = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
    expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal) ?? []).not.toContain('iam.amazonaws.com');
    await expectAwsError(iam.send(new ListOrganizationsFeaturesCommand({})), 'ServiceAccessNotEnabledException', 400);
  });
});
