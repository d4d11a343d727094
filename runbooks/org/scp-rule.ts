/**
 * Rule: an SCP statement that denies the root user must exempt AssumeRoot sessions, or it breaks every
 * centralized root session as well (SCPs still apply to them). The documented exemption is
 * `"Null": {"aws:AssumedRoot": "true"}` beside the root-principal match; `BoolIfExists` false on the same key
 * works the same way (absent key → the deny applies, AssumeRoot session → it does not).
 */
import { wildcardMatches } from '../lib/wildcard';
export interface ScpFinding {
  /** The statement's Sid, or its position when it has none. */
  statement: string;
  reason: string;
}

type Conditions = Record<string, Record<string, unknown>>;
interface Statement {
  Sid?: string;
  Effect?: string;
  Condition?: Conditions;
}

const ROOT_OPERATORS = /^(ArnLike|ArnEquals|StringLike|StringEquals)(IfExists)?$/i;

/** Whether an ARN pattern (with IAM wildcards) matches some root principal ARN. */
function matchesRoot(pattern: string): boolean {
  return ['arn:aws:iam::111122223333:root', 'arn:aws-us-gov:iam::111122223333:root'].some((arn) =>
    wildcardMatches(pattern, arn),
  );
}

const values = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function entries(conditions: Conditions | undefined, operator: RegExp, key: string): string[] {
  return Object.entries(conditions ?? {})
    .filter(([op]) => operator.test(op))
    .flatMap(([, block]) =>
      Object.entries(block ?? {})
        .filter(([k]) => k.toLowerCase() === key.toLowerCase())
        .flatMap(([, v]) => values(v)),
    );
}

function targetsRoot(statement: Statement): boolean {
  return entries(statement.Condition, ROOT_OPERATORS, 'aws:PrincipalArn').some(matchesRoot);
}

function exemptsAssumedRoot(statement: Statement): boolean {
  const nullTrue = entries(statement.Condition, /^Null$/i, 'aws:AssumedRoot').some((v) => v.toLowerCase() === 'true');
  const boolFalse = entries(statement.Condition, /^BoolIfExists$/i, 'aws:AssumedRoot').some(
    (v) => v.toLowerCase() === 'false',
  );
  return nullTrue || boolFalse;
}

/** The statements of an SCP document (text or parsed); undefined when it is not JSON. */
function statementsOf(policy: string | object): Statement[] | undefined {
  let document: { Statement?: Statement | Statement[] };
  try {
    document = (typeof policy === 'string' ? JSON.parse(policy) : policy) as typeof document;
  } catch {
    return undefined;
  }
  return Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
}

const label = (statement: Statement, index: number): string => statement.Sid ?? `#${index + 1}`;

/** Findings for one SCP document (text or parsed). A document that is not JSON is a finding of its own. */
export function denyRootWithoutExemption(policy: string | object): ScpFinding[] {
  const statements = statementsOf(policy);
  if (statements === undefined) return [{ statement: '-', reason: 'the policy is not valid JSON' }];
  return statements.flatMap((statement, index) =>
    statement.Effect === 'Deny' && targetsRoot(statement) && !exemptsAssumedRoot(statement)
      ? [
          {
            statement: label(statement, index),
            reason:
              'denies the root user without exempting AssumeRoot sessions (no "Null": {"aws:AssumedRoot": "true"})',
          },
        ]
      : [],
  );
}

/**
 * The guardrail: statements that deny the root user's own credentials and exempt AssumeRoot sessions (the
 * scp-guardrails module's deny-root-except-centralized-root). Their Sids, or #n; empty when the SCP has none.
 */
export function rootGuardrailStatements(policy: string | object): string[] {
  return (statementsOf(policy) ?? []).flatMap((statement, index) =>
    statement.Effect === 'Deny' && targetsRoot(statement) && exemptsAssumedRoot(statement)
      ? [label(statement, index)]
      : [],
  );
}
