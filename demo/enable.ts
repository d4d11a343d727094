/**
 * Turns on centralized root access in the demo organization: the one place that decides how. With
 * terraform on PATH it applies the generated module modules/centralize-root-access (brownfield mode:
 * the organization exists and has trusted access for IAM) against the sandbox; without terraform it
 * makes the same IAM calls through the API. Either way the result is read back with
 * iam:ListOrganizationsFeatures.
 */
import { rm } from 'node:fs/promises';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { applyModuleToSandbox, terraformAvailable } from '../emulator/terraform';

export interface EnabledFeatures {
  /** How the features were enabled, for the report. */
  readonly how: string;
  /** As listed by iam:ListOrganizationsFeatures afterwards. */
  readonly features: string[];
}

export async function enableCentralizedRootAccess(endpoint: string, region: string): Promise<EnabledFeatures> {
  const iam = new IAMClient({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    let how: string;
    if (terraformAvailable()) {
      const run = await applyModuleToSandbox({ module: 'centralize-root-access', endpoint });
      // Only the temp root goes; the features stay on for the rest of the demo.
      await rm(run.dir, { recursive: true, force: true });
      how = 'terraform apply of modules/centralize-root-access';
    } else {
      await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
      await iam.send(new EnableOrganizationsRootSessionsCommand({}));
      how = 'the IAM API (terraform is not on PATH)';
    }
    const listed = await iam.send(new ListOrganizationsFeaturesCommand({}));
    return { how, features: listed.EnabledFeatures ?? [] };
  } finally {
    iam.destroy();
  }
}
