import {
  CreateLoginProfileCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  DeleteVirtualMFADeviceCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { readRootCredentials, seedOrganization, seedRootCredentials, type SeededOrg } from '../../emulator/seed';
import { describeWithSandbox, useSandbox } from '../../test-support/sandbox';
import { assumeRoot, clients, expectAwsError } from './aws';

describeWithSandbox("the root user's credentials in member accounts", () => {
  const sandbox = useSandbox();
  let org: SeededOrg;

  beforeAll(async () => {
    org = await seedOrganization(sandbox.endpoint, { accounts: 3 });
  });

  async function summary(iam: IAMClient): Promise<{ mfa?: number; keys?: number }> {
    const map = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    return { mfa: map.AccountMFAEnabled, keys: map.AccountAccessKeysPresent };
  }

  it('audits them with UserName omitted, and GetAccountSummary reflects them', async () => {
    const account = org.accounts[0].id;
    await seedRootCredentials(sandbox.endpoint, account, {
      loginProfile: true,
      accessKeys: 2,
      mfaDevices: 1,
      signingCertificates: 1,
    });
    const { iam } = clients(
      sandbox.endpoint,
      await assumeRoot(sandbox.endpoint, account, 'IAMAuditRootUserCredentials'),
    );

    const user = (await iam.send(new GetUserCommand({}))).User!;
    expect(user.Arn).toBe(`arn:aws:iam::${account}:root`);
    expect(user.UserId).toBe(account);
    expect((await iam.send(new GetLoginProfileCommand({}))).LoginProfile?.CreateDate).toBeInstanceOf(Date);
    const keys = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    expect(keys).toHaveLength(2);
    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keys[0].AccessKeyId }));
    expect(lastUsed.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    const devices = (await iam.send(new ListMFADevicesCommand({}))).MFADevices!;
    expect(devices.map((d) => d.SerialNumber)).toEqual([`arn:aws:iam::${account}:mfa/root-account-mfa-device`]);
    expect((await iam.send(new ListSigningCertificatesCommand({}))).Certificates).toHaveLength(1);
    expect(await summary(iam)).toEqual({ mfa: 1, keys: 1 });

    // Another member account without root credentials: nothing to find.
    const other = org.accounts[1].id;
    const clean = clients(
      sandbox.endpoint,
      await assumeRoot(sandbox.endpoint, other, 'IAMAuditRootUserCredentials'),
    ).iam;
    await expectAwsError(clean.send(new GetLoginProfileCommand({})), 'NoSuchEntityException', 404);
    expect((await clean.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toEqual([]);
    expect(await summary(clean)).toEqual({ mfa: 0, keys: 0 });
  });

  it('deletes every kind of root credential, with NoSuchEntity for what is not there', async () => {
    const account = org.accounts[0].id;
    const { iam } = clients(
      sandbox.endpoint,
      await assumeRoot(sandbox.endpoint, account, 'IAMDeleteRootUserCredentials'),
    );

    for (const key of (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!) {
      await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key.AccessKeyId }));
    }
    await expectAwsError(
      iam.send(new DeleteAccessKeyCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' })),
      'NoSuchEntityException',
      404,
    );

    const [device] = (await iam.send(new ListMFADevicesCommand({}))).MFADevices!;
    // A virtual device still assigned to the root user cannot be deleted.
    await expectAwsError(
      iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.SerialNumber })),
      'DeleteConflictException',
      409,
    );
    await iam.send(new DeactivateMFADeviceCommand({ SerialNumber: device.SerialNumber }));
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.SerialNumber }));
    await expectAwsError(
      iam.send(new DeactivateMFADeviceCommand({ SerialNumber: device.SerialNumber })),
      'NoSuchEntityException',
      404,
    );

    const [certificate] = (await iam.send(new ListSigningCertificatesCommand({}))).Certificates!;
    await iam.send(new DeleteSigningCertificateCommand({ CertificateId: certificate.CertificateId }));
    await iam.send(new DeleteLoginProfileCommand({}));
    await expectAwsError(iam.send(new DeleteLoginProfileCommand({})), 'NoSuchEntityException', 404);

    expect(await readRootCredentials(sandbox.endpoint, account)).toEqual({
      loginProfile: false,
      accessKeys: 0,
      mfaDevices: 0,
      signingCertificates: 0,
    });
    const audit = clients(
      sandbox.endpoint,
      await assumeRoot(sandbox.endpoint, account, 'IAMAuditRootUserCredentials'),
    ).iam;
    expect(await summary(audit)).toEqual({ mfa: 0, keys: 0 });
  });

  it('re-enables password recovery with CreateLoginProfile without a password, once', async () => {
    const account = org.accounts[2].id;
    const { iam } = clients(sandbox.endpoint, await assumeRoot(sandbox.endpoint, account, 'IAMCreateRootUserPassword'));
    await expectAwsError(iam.send(new GetLoginProfileCommand({})), 'NoSuchEntityException', 404);
    await expectAwsError(
      iam.send(new CreateLoginProfileCommand({ Password: 'Secret-1234567' })),
      'ValidationError',
      400,
    );

    const created = await iam.send(new CreateLoginProfileCommand({}));
    expect(created.LoginProfile?.PasswordResetRequired).toBe(true);
    expect((await readRootCredentials(sandbox.endpoint, account)).loginProfile).toBe(true);
    await expectAwsError(iam.send(new CreateLoginProfileCommand({})), 'EntityAlreadyExistsException', 409);
  });
});
