/**
 * Terraform against an empty sandbox: the harness's provider block reaches every API the greenfield path needs,
 * through the centralize-root-access module in managed mode (it creates the organization itself).
 */
import { ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { ListAWSServiceAccessForOrganizationCommand } from '@aws-sdk/client-organizations';
import { apply, destroy, init, makeWorkdir, planDetailed, writeSandboxRoot } from '../../emulator/terraform';
import { describeWithTerraform, planSummary } from '../../test-support/terraform';
import { useSandbox } from '../../test-support/sandbox';
import { clients, expectAwsError } from './aws';

describeWithTerraform(
  'terraform against the sandbox',
  () => {
    const sandbox = useSandbox();

    // Four terraform runs, each starting the 700 MB provider.
    it('creates the organization with trusted access for IAM and both features, converges, and destroys', async () => {
      const { dir, cleanup } = makeWorkdir('tf-sandbox-');
      try {
        writeSandboxRoot(dir, sandbox.endpoint, [
          { label: 'root_access', module: 'centralize-root-access', inputs: { manage_organization: true } },
        ]);
        await init(dir);
        await apply(dir);

        const { iam, organizations } = clients(sandbox.endpoint);
        expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
          'RootCredentialsManagement',
          'RootSessions',
        ]);
        const access = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
        expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toEqual(['iam.amazonaws.com']);
        expect(planSummary(await planDetailed(dir))).toEqual({ changes: false, output: '' });

        await destroy(dir);
        await expectAwsError(iam.send(new ListOrganizationsFeaturesCommand({})), 'OrganizationNotFoundException');
      } finally {
        await cleanup();
      }
    });
  },
  { sandbox: true },
);
