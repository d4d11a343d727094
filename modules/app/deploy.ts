/**
 * Builds the `cdktf deploy` app from a checked config: the management stack holds the organization, the
 * guardrails and the operators/hub deployed there; an operator or hub with `assumeRoleArn` gets its own stack
 * whose provider assumes that role (one provider per account, never per member account). Every construct of the
 * config is built even when an earlier one is refused, so one run reports every problem.
 */
import {
  SANDBOX_CREDENTIALS,
  SANDBOX_MAX_RETRIES,
  SANDBOX_SWITCHES,
  sandboxEndpoints,
} from '../../emulator/terraform-provider';
import { CentralizeRootAccess } from '../centralize-root-access';
import { HubSpokeRoles } from '../hub-spoke-roles';
import { App, type BackendSettings, DeployStack, type ProviderSettings } from '../lib/stack';
import { RootActivityAlerts } from '../root-activity-alerts';
import { RootOperator } from '../root-operator';
import { ScpGuardrails } from '../scp-guardrails';
import { ConfigError, type DeployConfig } from './config';
import { MODULES } from './registry';

/**
 * Runs a construct's constructor and returns its validation errors, one per line, under the config field:
 * "ScpGuardrails: targetIds has …" becomes "config.guardrails.targets has …", and a refusal that names no prop
 * ("RootOperator: the role trusts nobody") becomes "config.operators[1]: the role trusts nobody". `fields` maps
 * prop names to config names where they differ.
 */
function refusals(path: string, fields: Record<string, string>, build: () => void): string[] {
  try {
    build();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [error.message];
    return (error as Error).message.split('\n').map((line) => {
      const [, prop, rest] = /^[A-Z]\w*: ([a-z]\w*)( .*)$/.exec(line) ?? [];
      if (prop && (prop in fields || PROPS.has(prop))) return `${path}.${fields[prop] ?? prop}${rest}`;
      return `${path}: ${line.replace(/^[A-Z]\w*: /, '')}`;
    });
  }
}

/** Every construct prop name (camelCase of the module variables), to tell a prop from a word in a message. */
const PROPS = new Set(
  MODULES.flatMap((m) => m.info.variables.map((v) => v.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))),
);

const stackId = (name: string) => name.replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();

/** The sandbox's URL: config.endpoint, else AWS_ENDPOINT_URL (what `npm run sandbox` exports). */
function sandboxUrl(config: DeployConfig, env: NodeJS.ProcessEnv): string {
  const url = config.endpoint ?? env.AWS_ENDPOINT_URL;
  if (!url) {
    throw new ConfigError(
      'config.sandbox: true needs AWS_ENDPOINT_URL (run `npm run sandbox` and paste its export lines) or config.endpoint',
    );
  }
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
    throw new ConfigError(`AWS_ENDPOINT_URL: ${JSON.stringify(url)} is not an http(s) URL of a host (and port)`);
  }
  return url;
}

export function buildApp(config: DeployConfig, options: { outdir?: string; env?: NodeJS.ProcessEnv } = {}): App {
  const env = options.env ?? process.env;
  const sandbox = config.sandbox ? sandboxUrl(config, env) : undefined;
  const provider = (assumeRoleArn?: string): ProviderSettings =>
    sandbox
      ? {
          region: config.region,
          assumeRoleArn,
          endpoints: sandboxEndpoints(sandbox),
          credentials: { accessKey: SANDBOX_CREDENTIALS.accessKeyId, secretKey: SANDBOX_CREDENTIALS.secretAccessKey },
          maxRetries: SANDBOX_MAX_RETRIES,
          ...SANDBOX_SWITCHES,
        }
      : { region: config.region, assumeRoleArn, ...config.provider };
  const backend = (id: string): BackendSettings =>
    config.backend.type === 's3'
      ? { ...config.backend, key: `${config.backend.key.replace(/\/$/, '')}/${id}.tfstate` }
      : { type: 'local', path: config.backend.path ? `${config.backend.path}/${id}.tfstate` : undefined };

  const app = new App({ outdir: options.outdir, skipValidation: true });
  const management = new DeployStack(app, 'management', provider(), backend('management'));
  const stackFor = (id: string, assumeRoleArn?: string) =>
    assumeRoleArn ? new DeployStack(app, stackId(id), provider(assumeRoleArn), backend(stackId(id))) : management;

  const errors: string[] = [];
  const o = config.organization;
  if (o) {
    const renamed = {
      manageOrganization: 'manage',
      enabledFeatures: 'features',
      awsServiceAccessPrincipals: 'servicePrincipals',
    };
    errors.push(
      ...refusals('config.organization', renamed, () => {
        new CentralizeRootAccess(management, 'organization', {
          manageOrganization: o.manage,
          enabledFeatures: o.features,
          awsServiceAccessPrincipals: o.servicePrincipals,
          enabledPolicyTypes: o.enabledPolicyTypes,
          delegatedAdministratorAccountId: o.delegatedAdministratorAccountId,
        });
      }),
    );
  }
  const g = config.guardrails;
  if (g) {
    const { targets, ...props } = g;
    errors.push(
      ...refusals('config.guardrails', { targetIds: 'targets' }, () => {
        new ScpGuardrails(management, 'guardrails', { ...props, targetIds: targets });
      }),
    );
  }
  (config.operators ?? []).forEach(({ assumeRoleArn, profile, ...props }, i) => {
    errors.push(
      ...refusals(`config.operators[${i}]`, { taskProfile: 'profile' }, () => {
        new RootOperator(stackFor(`operator-${props.name}`, assumeRoleArn), `operator_${props.name}`, {
          ...props,
          taskProfile: profile,
        });
      }),
    );
  });
  if (config.hubSpoke) {
    const { assumeRoleArn, ...props } = config.hubSpoke;
    errors.push(
      ...refusals('config.hubSpoke', {}, () => {
        new HubSpokeRoles(stackFor('hub-spoke', assumeRoleArn), 'hub_spoke', props);
      }),
    );
  }
  if (config.rootActivityAlerts) {
    errors.push(...rootActivityStacks(config.rootActivityAlerts, config.region, stackFor, management));
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return app;
}

/**
 * root-activity-alerts in up to three stacks, one per account: the central part in the security account (with
 * centralAssumeRoleArn), the StackSet in the delegated administrator (with stackSetAssumeRoleArn), and the
 * management account's forwarding rules, which StackSets never deploy. Parts in the same account share one
 * construct; the others find the central bus by its ARN, which the security account's id and the name fix.
 */
function rootActivityStacks(
  alerts: NonNullable<DeployConfig['rootActivityAlerts']>,
  region: string,
  stackFor: (id: string, assumeRoleArn?: string) => DeployStack,
  management: DeployStack,
): string[] {
  const { centralAssumeRoleArn, stackSetAssumeRoleArn, ...props } = alerts;
  const central = centralAssumeRoleArn ? stackFor('root-activity-alerts-central', centralAssumeRoleArn) : management;
  const stackSet = stackSetAssumeRoleArn
    ? stackFor('root-activity-alerts-stack-set', stackSetAssumeRoleArn)
    : management;
  const busArn = centralAssumeRoleArn
    ? (() => {
        const [, partition, , , account] = centralAssumeRoleArn.split(':');
        return `arn:${partition}:events:${region}:${account}:event-bus/${props.name ?? 'root-activity-alerts'}`;
      })()
    : undefined;
  const parts = new Map<DeployStack, { central: boolean; stackSet: boolean; management: boolean }>();
  const add = (stack: DeployStack, part: 'central' | 'stackSet' | 'management') =>
    parts.set(stack, { central: false, stackSet: false, management: false, ...parts.get(stack), [part]: true });
  add(central, 'central');
  add(stackSet, 'stackSet');
  add(management, 'management');
  return [...parts].flatMap(([stack, has]) =>
    refusals('config.rootActivityAlerts', {}, () => {
      new RootActivityAlerts(stack, 'root_activity_alerts', {
        ...props,
        createCentral: has.central,
        createStackSet: has.stackSet,
        createManagementRules: has.management,
        centralEventBusArn: has.central ? null : busArn,
      });
    }),
  );
}
