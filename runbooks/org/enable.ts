/**
 * runbook enable, the core: trusted access for IAM, then RootCredentialsManagement, then (with --root-sessions)
 * RootSessions, each only when missing, so running it again changes nothing.
 */
export interface EnablePort {
  serviceAccessPrincipals(): Promise<string[]>;
  enableServiceAccess(principal: string): Promise<void>;
  organizationsFeatures(): Promise<string[]>;
  enableRootCredentialsManagement(): Promise<void>;
  enableRootSessions(): Promise<void>;
}

export type EnableStep = 'trusted-access' | 'RootCredentialsManagement' | 'RootSessions';

export interface EnableState {
  trustedAccess: boolean;
  features: string[];
}

export async function readEnableState(port: EnablePort): Promise<EnableState> {
  const trustedAccess = (await port.serviceAccessPrincipals()).includes('iam.amazonaws.com');
  // The features cannot be read (nor enabled) before trusted access exists.
  const features = trustedAccess ? await port.organizationsFeatures() : [];
  return { trustedAccess, features };
}

/** The steps still missing, in the order AWS requires them. */
export function missingSteps(state: EnableState, options: { rootSessions: boolean }): EnableStep[] {
  const steps: EnableStep[] = [];
  if (!state.trustedAccess) steps.push('trusted-access');
  if (!state.features.includes('RootCredentialsManagement')) steps.push('RootCredentialsManagement');
  if (options.rootSessions && !state.features.includes('RootSessions')) steps.push('RootSessions');
  return steps;
}

export async function applySteps(port: EnablePort, steps: EnableStep[], log: (line: string) => void): Promise<void> {
  for (const step of steps) {
    log(`enabling ${step}`);
    if (step === 'trusted-access') await port.enableServiceAccess('iam.amazonaws.com');
    else if (step === 'RootCredentialsManagement') await port.enableRootCredentialsManagement();
    else await port.enableRootSessions();
  }
}
