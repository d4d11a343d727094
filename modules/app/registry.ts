/** The modules `npm run generate` emits, in a stable order: the one list of the project's modules. */
import { Construct } from '../lib/aws';
import * as centralizeRootAccess from '../centralize-root-access';
import * as hubSpokeRoles from '../hub-spoke-roles';
import * as rootActivityAlerts from '../root-activity-alerts';
import * as rootOperator from '../root-operator';
import * as scpGuardrails from '../scp-guardrails';
import { ModuleInfo } from '../lib/module';

export interface ModuleEntry {
  readonly info: ModuleInfo;
  /** Instantiates the construct in module mode (every input a variable). */
  readonly build: (scope: Construct) => void;
}

export const MODULES: readonly ModuleEntry[] = [
  { info: centralizeRootAccess.INFO, build: (s) => new centralizeRootAccess.CentralizeRootAccess(s, 'this') },
  { info: scpGuardrails.INFO, build: (s) => new scpGuardrails.ScpGuardrails(s, 'this') },
  { info: rootOperator.INFO, build: (s) => new rootOperator.RootOperator(s, 'this') },
  { info: hubSpokeRoles.INFO, build: (s) => new hubSpokeRoles.HubSpokeRoles(s, 'this') },
  { info: rootActivityAlerts.INFO, build: (s) => new rootActivityAlerts.RootActivityAlerts(s, 'this') },
];

/** The folder names under modules/, in the same order. */
export const MODULE_NAMES: readonly string[] = MODULES.map((m) => m.info.name);
