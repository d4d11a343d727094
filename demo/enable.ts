/**
 * Turns on centralized root access in the demo organization. This is the one place to swap for the
 * modules' `terraform apply` of centralize-root-access once that lands (emulator/terraform.ts); until
 * then it makes the same three API calls the module's resources make.
 */
import { EnableAWSServiceAccessCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';

export interface EnabledFeatures {
  readonly how: string;
  readonly features: string[];
}

export async function enableCentralizedRootAccess(endpoint: string, region: string): Promise<EnabledFeatures> {
  const config = { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const organizations = new OrganizationsClient(config);
  const iam = new IAMClient(config);
  try {
    await organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    await iam.send(new EnableOrganizationsRootSessionsCommand({}));
    const listed = await iam.send(new ListOrganizationsFeaturesCommand({}));
    return {
      how: 'API: organizations:EnableAWSServiceAccess, iam:EnableOrganizationsRootCredentialsManagement, iam:EnableOrganizationsRootSessions',
      features: listed.EnabledFeatures ?? [],
    };
  } finally {
    organizations.destroy();
    iam.destroy();
  }
}
