/** Plain terraform (no module) against the sandbox: the provider block of the harness reaches every API it needs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { ListAWSServiceAccessForOrganizationCommand } from '@aws-sdk/client-organizations';
import { apply, destroy, init, makeWorkdir, planDetailed, writeSandboxProvider } from '../../emulator/terraform';
import { describeWithTerraform } from '../../test-support/terraform';
import { useSandbox } from '../support/sandbox';
import { clients, expectAwsError } from './aws';

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
  'terraform against the sandbox',
  () => {
    const sandbox = useSandbox();

    // Five terraform runs, each starting the 700 MB provider: minutes on a loaded machine.
    it('applies trusted access for IAM and both organization features, converges, and destroys', async () => {
      const { dir, cleanup } = makeWorkdir('tf-sandbox-');
      try {
        writeSandboxProvider(dir, sandbox.endpoint);
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
  { sandbox: true },
);
