/**
 * The base of the four module constructs. A construct runs in one of two modes:
 * - module mode (inside a ModuleStack): every input is a Terraform variable and addresses are bare (`this`),
 *   which the emit step turns into a reusable module;
 * - stack mode (inside any other TerraformStack, for `cdktf deploy`): inputs are the props, validated early,
 *   and addresses are prefixed with the construct id so several constructs can share one stack.
 * The variable specs are the single source of the HCL validations, the early TypeScript validation and the
 * README input table.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import {
  App,
  TerraformDataSource,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
} from 'cdktf';
import { HclValue, render, tf } from './hcl';

export type Check =
  /** Each string (or the string) must match: `what` names the kind of value in the error message. */
  | { readonly kind: 'pattern'; readonly pattern: string; readonly what: string }
  /** Each string (or the string) must be one of `values`. */
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  /** A list that must not be empty. */
  | { readonly kind: 'nonEmpty' };

export interface VariableSpec {
  readonly name: string;
  /** HCL type constraint, e.g. `list(string)`. */
  readonly type: string;
  readonly description: string;
  /** Omitted: the variable is required. */
  readonly default?: HclValue;
  readonly checks?: readonly Check[];
  readonly sensitive?: boolean;
}

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
  /** HCL expression, written against module-mode addresses via the construct's helpers. */
  readonly value: string;
  /** Required by Terraform when the value derives from a sensitive variable. */
  readonly sensitive?: boolean;
}

export interface ModuleInfo {
  /** Folder name under modules/. */
  readonly name: string;
  /** One-paragraph purpose, used in the README. */
  readonly purpose: string;
  readonly variables: readonly VariableSpec[];
  /** Extra README sections (markdown), e.g. gaps of the sandbox or import instructions. */
  readonly notes?: string;
  /** The first example is the README's usage example. */
  readonly examples: readonly ModuleExample[];
}

const MODULE_STACK = Symbol.for('centralized-root.ModuleStack');

/** A stack whose single module construct is emitted as a Terraform module: no provider, no backend. */
export class ModuleStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    Object.defineProperty(this, MODULE_STACK, { value: true });
  }

  static isModuleStack(x: unknown): x is ModuleStack {
    return typeof x === 'object' && x !== null && MODULE_STACK in x;
  }
}

/**
 * The JSON synthesis of one module construct in its own ModuleStack, and its declarations in order: what the
 * emit step turns into files. `name` is the module's folder name.
 */
export function synthesizeModule(
  name: string,
  build: (scope: Construct) => void,
): { json: Record<string, unknown>; declarations: Declaration[] } {
  // Nothing is written: toTerraform() synthesizes in memory, so outdir is never created.
  const app = new App({ outdir: join(tmpdir(), 'centralized-root-module-synth'), skipValidation: true });
  const stack = new ModuleStack(app, name);
  build(stack);
  const declarations = stack.node.findAll().flatMap((c) => (c instanceof ModuleConstruct ? c.declarations : []));
  return { json: stack.toTerraform() as Record<string, unknown>, declarations };
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function describe(value: unknown): string {
  return JSON.stringify(value);
}

/** The HCL condition and message of one check, for a variable that may be a string or a list of strings. */
function hclValidation(
  spec: VariableSpec,
  check: Check,
  name = spec.name,
): { condition: string; error_message: string } {
  const v = `var.${name}`;
  const isList = spec.type.startsWith('list') || spec.type.startsWith('set');
  const each = (pred: (x: string) => string) =>
    isList ? `alltrue([for x in ${v} : ${pred('x')}])` : `${v} == null ? true : ${pred(v)}`;
  switch (check.kind) {
    case 'pattern':
      return {
        condition: each((x) => `can(regex(${JSON.stringify(check.pattern)}, ${x}))`),
        error_message: `Each value of ${spec.name} must be a valid ${check.what} (matching ${check.pattern}).`,
      };
    case 'oneOf':
      return {
        condition: each((x) => `contains([${check.values.map((c) => JSON.stringify(c)).join(', ')}], ${x})`),
        error_message: `${spec.name} allows only: ${check.values.join(', ')}.`,
      };
    case 'nonEmpty':
      return { condition: `length(${v}) > 0`, error_message: `${spec.name} must not be empty.` };
  }
}

/** The early (synth-time) form of the same checks; returns the error text or undefined. */
export function checkValue(owner: string, spec: VariableSpec, value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return spec.default === undefined ? `${owner}: ${camel(spec.name)} is required` : undefined;
  }
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const check of spec.checks ?? []) {
    if (check.kind === 'nonEmpty' && items.length === 0) return `${owner}: ${camel(spec.name)} must not be empty`;
    for (const item of items) {
      if (check.kind === 'pattern' && (typeof item !== 'string' || !new RegExp(check.pattern).test(item))) {
        return `${owner}: ${camel(spec.name)} has ${describe(item)}, which is not a valid ${check.what} (expected ${check.pattern})`;
      }
      if (check.kind === 'oneOf' && (typeof item !== 'string' || !check.values.includes(item))) {
        return `${owner}: ${camel(spec.name)} has ${describe(item)}; allowed values: ${check.values.join(', ')}`;
      }
    }
  }
  return undefined;
}

/**
 * An HCL expression as the value of a typed attribute: the construct declares `maxSessionDuration:
 * expr.number("var.max_session_duration")` and the JSON synthesis carries "${var.max_session_duration}".
 */
export const expr = {
  string: (e: string): string => '${' + e + '}',
  number: (e: string): number => Token.asNumber('${' + e + '}'),
  list: (e: string): string[] => Token.asList('${' + e + '}'),
  map: (e: string): Record<string, string> => Token.asStringMap('${' + e + '}'),
  /** `jsonencode({ … })` of a document written as data, e.g. a policy whose values are expressions (Raw). */
  json: (document: HclValue): string => '${jsonencode(' + render(document) + ')}',
};

/** A lifecycle precondition: an HCL condition and the message Terraform prints when it is false. */
export const precondition = (condition: string, errorMessage: string) => ({
  condition: expr.string(condition),
  errorMessage,
});

/** Where a resource or data source was declared, with its attributes in the order the construct wrote them. */
export interface Declaration {
  /** `aws_iam_role.this`, `data.aws_partition.current`. */
  readonly address: string;
  /** Terraform attribute names (snake_case), meta-arguments included. */
  readonly attributes: readonly string[];
}

const snake = (camelCase: string) => camelCase.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Element = TerraformResource | TerraformDataSource;
type ElementClass<E extends Element, C> = new (scope: Construct, id: string, config: C) => E;

export abstract class ModuleConstruct extends Construct {
  /** True inside a ModuleStack: inputs are variables and addresses are bare. */
  readonly moduleMode: boolean;

  protected constructor(scope: Construct, id: string, info: ModuleInfo, props: object) {
    super(scope, id);
    this.moduleMode = ModuleStack.isModuleStack(TerraformStack.of(this));
    const given = props as Record<string, unknown>;
    const errors: string[] = [];
    for (const spec of info.variables) {
      // Stack mode: the props are checked now (early, in TypeScript) and become the variables' defaults, so the
      // expressions stay the same in both modes and Terraform never sees a literal null in a required argument.
      let value = spec.default;
      if (!this.moduleMode) {
        value = (given[camel(spec.name)] as HclValue | undefined) ?? spec.default;
        const error = checkValue(this.constructor.name, spec, value);
        if (error) errors.push(error);
      }
      const name = this.n(spec.name);
      const variable = new TerraformVariable(this, spec.name, {
        type: spec.type,
        description: spec.description,
        default: value === null ? undefined : value,
        sensitive: spec.sensitive,
      });
      variable.overrideLogicalId(name);
      // cdktf cannot carry a null default through its constructor; an override can.
      if (value === null) variable.addOverride('default', null);
      for (const check of spec.checks ?? []) {
        variable.addValidation(toCdktfValidation(hclValidation(spec, check, name)));
      }
    }
    if (errors.length > 0) throw new Error(errors.join('\n'));
  }

  /** The HCL expression of an input: `var.x` (prefixed in stack mode, where its default holds the prop). */
  protected v(name: string): string {
    return `var.${this.n(name)}`;
  }

  /** The logical name of an element: bare in module mode, prefixed with the construct id in stack mode. */
  protected n(local: string): string {
    return this.moduleMode ? local : `${this.node.id.replace(/[^A-Za-z0-9_]/g, '_')}_${local}`;
  }

  /** An input as a typed attribute value. */
  protected str(name: string): string {
    return expr.string(this.v(name));
  }

  protected num(name: string): number {
    return expr.number(this.v(name));
  }

  protected list(name: string): string[] {
    return expr.list(this.v(name));
  }

  protected map(name: string): Record<string, string> {
    return expr.map(this.v(name));
  }

  /** `cond ? 1 : 0`, the count of an optional element. */
  protected countIf(condition: string): number {
    return expr.number(`${condition} ? 1 : 0`);
  }

  protected local(name: string, value: HclValue): string {
    new TerraformLocal(this, `local_${name}`, tf(value)).overrideLogicalId(this.n(name));
    return `local.${this.n(name)}`;
  }

  protected output(spec: OutputSpec): void {
    new TerraformOutput(this, `output_${spec.name}`, {
      value: '${' + spec.value + '}',
      description: spec.description,
      sensitive: spec.sensitive,
    })
      // The output's name is its public contract: stable, snake_case.
      .overrideLogicalId(this.n(spec.name));
  }

  private readonly declared: Declaration[] = [];

  /** The resources and data sources of this construct, in declaration order (for the emit step). */
  get declarations(): readonly Declaration[] {
    return this.declared;
  }

  /**
   * Declares a resource or a data source with its provider class's typed config. `id` is the construct id
   * (stable, unique in this construct); `name` is the address name (`this`). A `forEach` is an HCL expression:
   * cdktf types it as an iterator, which cannot say `{ for … }`.
   */
  protected declare<E extends Element, C>(
    type: ElementClass<E, C>,
    id: string,
    name: string,
    config: C,
    forEach?: string,
  ): E {
    const element = new type(this, id, config);
    element.overrideLogicalId(this.n(name));
    if (forEach) element.addOverride('for_each', expr.string(forEach));
    const attributes = Object.keys(config ?? {}).map(snake);
    this.declared.push({
      address: this.address(element),
      attributes: forEach ? ['for_each', ...attributes] : attributes,
    });
    return element;
  }

  /** The HCL address of a declared element: `aws_iam_role.this`, `data.aws_partition.current`. */
  protected address(element: Element): string {
    const address = `${element.terraformResourceType}.${element.friendlyUniqueId}`;
    return element instanceof TerraformDataSource ? `data.${address}` : address;
  }
}

function toCdktfValidation(v: { condition: string; error_message: string }) {
  return { condition: '${' + v.condition + '}', errorMessage: v.error_message };
}

/** Id formats AWS documents for Organizations and IAM, shared by every module's validations. */
export const PATTERNS = {
  accountId: { kind: 'pattern', pattern: '^\\d{12}$', what: 'account id (12 digits)' },
  ouId: { kind: 'pattern', pattern: '^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$', what: 'OU id (ou-xxxx-xxxxxxxx)' },
  ouOrRoot: {
    kind: 'pattern',
    pattern: '^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$',
    what: 'OU or root id (ou-xxxx-xxxxxxxx, r-xxxx)',
  },
  target: {
    kind: 'pattern',
    pattern: '^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\\d{12})$',
    what: 'root, OU or account id (r-xxxx, ou-xxxx-xxxxxxxx, 12 digits)',
  },
  organizationId: { kind: 'pattern', pattern: '^o-[a-z0-9]{10,32}$', what: 'organization id (o-xxxxxxxxxx)' },
  iamArn: { kind: 'pattern', pattern: '^arn:aws[a-z-]*:(iam|sts)::(\\d{12}|\\*|aws):.+$', what: 'IAM or STS ARN' },
  roleName: { kind: 'pattern', pattern: '^[\\w+=,.@-]{1,64}$', what: 'IAM role name' },
  policyArn: { kind: 'pattern', pattern: '^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/.+$', what: 'IAM policy ARN' },
  ssoInstanceArn: {
    kind: 'pattern',
    pattern: '^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$',
    what: 'Identity Center instance ARN',
  },
  region: { kind: 'pattern', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', what: 'region name' },
  eventBusArn: {
    kind: 'pattern',
    pattern: '^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:event-bus/[A-Za-z0-9._/-]{1,256}$',
    what: 'EventBridge event bus ARN',
  },
  /** The ARN of a resource in an account and region (an EventBridge target: SNS topic, SQS queue, Lambda, bus…). */
  regionalArn: {
    kind: 'pattern',
    pattern: '^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:.+$',
    what: 'regional resource ARN',
  },
} as const satisfies Record<string, Check>;

/** Example roots rendered beside each module and validated by the tests. */
export interface ModuleExample {
  readonly name: string;
  readonly description: string;
  /** The inputs of the example's one module block (ignored with `instances`). */
  readonly inputs?: Record<string, HclValue>;
  /** Several module blocks in one root, e.g. the parts of a module that belong to different accounts. */
  readonly instances?: readonly ModuleInstance[];
}

/** One module block of a multi-instance example. */
export interface ModuleInstance {
  /** The module block's label (and its output's name). */
  readonly label: string;
  /** An aliased provider of the example root for this block, and the comment saying which account it is for. */
  readonly provider?: { readonly alias: string; readonly comment: string };
  readonly inputs: Record<string, HclValue>;
}
