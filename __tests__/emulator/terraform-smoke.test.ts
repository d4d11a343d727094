import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { ListAWSServiceAccessForOrganizationCommand } from '@aws-sdk/client-organizations';
import { apply, destroy, init, makeWorkdir, planDetailed, renderSandboxProvider } from '../../emulator/terraform';
import { sandboxUnavailable, useSandbox } from '../../test-support/sandbox';
import { clients, expectAwsError } from './aws';

const terraformUnavailable = sandboxUnavailable ?? process.env.TERRAFORM_UNAVAILABLE;
const describeWithTerraform = terraformUnavailable === undefined ? describe : describe.skip;

const ROOT = `
resource "aws_organizations_organization" "this" {
  feature_set                   = "ALL"
  aws_service_access_principals = ["iam.amazonaws.com"]
}

resource "aws_iam_organizations_features" "this" {
  enabled_features = ["RootCredentialsManagement", "RootSessions"]
  depends_on       = [aws_organizations_organization.this]
}
`;

describeWithTerraform(
  `terraform against the sandbox${terraformUnavailable ? ` (skipped: ${terraformUnavailable})` : ''}`,
  () => {
    const sandbox = useSandbox();

    // Five terraform runs, each starting the 700 MB provider: minutes on a loaded machine.
    it('applies trusted access for IAM and both organization features, converges, and destroys', async () => {
      const { dir, cleanup } = makeWorkdir('tf-sandbox-');
      try {
        writeFileSync(join(dir, 'provider.tf'), renderSandboxProvider(sandbox.endpoint));
        writeFileSync(join(dir, 'main.tf'), ROOT);
        await init(dir);
        await apply(dir);

        const { iam, organizations } = clients(sandbox.endpoint);
        expect((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures).toEqual([
          'RootCredentialsManagement',
          'RootSessions',
        ]);
        const access = await organizations.send(new ListAWSServiceAccessForOrganizationCommand({}));
        expect(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal)).toEqual(['iam.amazonaws.com']);
        expect((await planDetailed(dir)).changes).toBe(false);

        await destroy(dir);
        await expectAwsError(iam.send(new ListOrganizationsFeaturesCommand({})), 'OrganizationNotFoundException');
      } finally {
        await cleanup();
      }
    });
  },
);
