/**
 * Builds the `cdktf deploy` app from a checked config: the management stack holds the organization, the
 * guardrails and the operators/hub deployed there; an operator or hub with `assumeRoleArn` gets its own stack
 * whose provider assumes that role (one provider per account, never per member account).
 */
import { App } from 'cdktf';
import { Construct } from 'constructs';
import { CentralizeRootAccess, type Feature } from '../centralize-root-access';
import { HubSpokeRoles } from '../hub-spoke-roles';
import { RootOperator, type TaskPolicy, type TaskProfile } from '../root-operator';
import { ScpGuardrails } from '../scp-guardrails';
import { ConfigError, type DeployConfig } from './config';
import { DeployStack, type ProviderSettings } from './stack';

/**
 * Runs a construct's constructor, turning its validation errors ("Construct: propName …") into ones that name the
 * config field (`config.guardrails.targets …`); `fields` maps prop names to config names where they differ.
 */
function field<T>(path: string, fields: Record<string, string>, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const original = (error as Error).message;
    const message = original.replace(/^\w+: (\w+)/gm, (_, prop: string) => `${path}.${fields[prop] ?? prop}`);
    throw new ConfigError(message === original ? `${path}: ${original}` : message);
  }
}

const stackId = (name: string) => name.replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();

export function buildApp(config: DeployConfig, options: { outdir?: string; env?: NodeJS.ProcessEnv } = {}): App {
  const env = options.env ?? process.env;
  let endpoint = config.endpoint;
  if (config.sandbox && !endpoint) {
    endpoint = env.AWS_ENDPOINT_URL;
    if (!endpoint) {
      throw new ConfigError(
        'config.sandbox: true needs AWS_ENDPOINT_URL (run `npm run sandbox` and paste its export lines) or config.endpoint',
      );
    }
  }
  const provider = (assumeRoleArn?: string): ProviderSettings => ({ region: config.region, endpoint, assumeRoleArn });
  const backend = (id: string) =>
    config.backend.type === 's3'
      ? { ...config.backend, key: `${config.backend.key.replace(/\/$/, '')}/${id}.tfstate` }
      : { type: 'local' as const, path: config.backend.path ? `${config.backend.path}/${id}.tfstate` : undefined };

  const app = new App({ outdir: options.outdir, skipValidation: true });
  const management = new DeployStack(app, 'management', provider(), backend('management'));
  const stackFor = (id: string, assumeRoleArn?: string): Construct =>
    assumeRoleArn ? new DeployStack(app, stackId(id), provider(assumeRoleArn), backend(stackId(id))) : management;

  if (config.organization) {
    const o = config.organization;
    field(
      'config.organization',
      { manageOrganization: 'manage', enabledFeatures: 'features', awsServiceAccessPrincipals: 'servicePrincipals' },
      () => {
        new CentralizeRootAccess(management, 'organization', {
          manageOrganization: o.manage,
          enabledFeatures: o.features as Feature[] | undefined,
          awsServiceAccessPrincipals: o.servicePrincipals,
          delegatedAdministratorAccountId: o.delegatedAdministratorAccountId,
        });
      },
    );
  }
  if (config.guardrails) {
    const g = config.guardrails;
    field('config.guardrails', { targetIds: 'targets' }, () => {
      new ScpGuardrails(management, 'guardrails', {
        statements: g.statements,
        targetIds: g.targets,
        allowedRegions: g.allowedRegions,
        excludePrincipalArns: g.excludePrincipalArns,
      });
    });
  }
  (config.operators ?? []).forEach((op, i) => {
    field(`config.operators[${i}]`, { taskProfile: 'profile' }, () => {
      new RootOperator(stackFor(`operator-${op.name}`, op.assumeRoleArn), `operator_${op.name}`, {
        name: op.name,
        taskProfile: op.profile as TaskProfile | undefined,
        tasks: op.tasks as TaskPolicy[] | undefined,
        trustedPrincipalArns: op.trustedPrincipalArns,
        trustedPrincipalArnPatterns: op.trustedPrincipalArnPatterns,
        requireMfa: op.requireMfa,
      });
    });
  });
  if (config.hubSpoke) {
    const h = config.hubSpoke;
    field('config.hubSpoke', {}, () => {
      new HubSpokeRoles(stackFor('hub-spoke', h.assumeRoleArn), 'hub_spoke', {
        organizationId: h.organizationId,
        hubTrustedPrincipalArns: h.hubTrustedPrincipalArns,
        targetOuIds: h.targetOuIds,
        hubRoleName: h.hubRoleName,
        spokeRoleName: h.spokeRoleName,
        spokeManagedPolicyArns: h.spokeManagedPolicyArns,
        externalId: h.externalId,
        callAs: h.callAs as 'SELF' | 'DELEGATED_ADMIN' | undefined,
        createManagementSpoke: h.createManagementSpoke,
      });
    });
  }
  return app;
}
