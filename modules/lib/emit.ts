/**
 * The module-shaped emit step: cdktf's JSON synthesis of a ModuleStack → native HCL files of a Terraform module.
 * It drops provider and backend blocks, keeps only the minimum versions, and prints "${…}" strings as bare
 * expressions, so the output reads like hand-written Terraform and is `terraform fmt`-clean.
 */
import { alignEntries, HclValue, indent, interpolationEnd, key, quote, quoteLiteral, raw, render } from './hcl';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Attribute names that Terraform syntax writes as nested blocks, not as `name = value`. */
const BLOCKS = new Set([
  'lifecycle',
  'precondition',
  'postcondition',
  'validation',
  'auto_deployment',
  'deployment_targets',
  'operation_preferences',
]);
/** Meta-arguments first, lifecycle and depends_on last: the order terraform-aws-modules uses. */
const FIRST = ['count', 'for_each'];
const LAST = ['depends_on', 'lifecycle'];

export interface ModuleFiles {
  readonly 'main.tf': string;
  readonly 'variables.tf': string;
  readonly 'outputs.tf': string;
  readonly 'versions.tf': string;
}

export const VERSIONS_TF = `terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.78"
    }
  }
}
`;

/** The expression when the whole string is one interpolation `${…}`. */
function wholeInterpolation(s: string): string | undefined {
  if (!s.startsWith('${') || !s.endsWith('}')) return undefined;
  return interpolationEnd(s, 0) === s.length - 1 ? s.slice(2, -1) : undefined;
}

/** JSON from the synthesis → HclValue: "${x}" becomes the expression x, other strings stay templates. */
function toHcl(value: Json): HclValue {
  if (typeof value === 'string') {
    const expr = wholeInterpolation(value);
    return expr === undefined ? value : raw(expr);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toHcl);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toHcl(v)]));
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function order(keys: string[]): string[] {
  const first = FIRST.filter((k) => keys.includes(k));
  const last = LAST.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !FIRST.includes(k) && !LAST.includes(k));
  // A condition reads before its message.
  rest.sort((a, b) =>
    a === 'condition' && b === 'error_message' ? -1 : a === 'error_message' && b === 'condition' ? 1 : 0,
  );
  return [...first, ...rest, ...last];
}

/** The body of a block: attributes (aligned as fmt does), a blank line, then nested blocks. */
function body(obj: JsonObject, literalKeys: readonly string[] = []): string[] {
  const lines: string[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    lines.push(...alignEntries(run).flatMap((l) => l.split('\n')));
    run = [];
  };
  const keys = order(Object.keys(obj).filter((k) => k !== '//'));
  const metaFirst = keys.filter((k) => FIRST.includes(k));
  for (const k of keys) {
    const value = obj[k];
    if (BLOCKS.has(k) && (isObject(value) || (Array.isArray(value) && value.every(isObject)))) {
      flush();
      for (const block of Array.isArray(value) ? value : [value]) {
        if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
        lines.push(`${k} {`, ...body(block as JsonObject).map((l) => (l ? '  ' + l : l)), '}');
      }
      continue;
    }
    if (lines[lines.length - 1] === '}') lines.push('');
    const rendered =
      literalKeys.includes(k) && typeof value === 'string'
        ? quoteLiteral(value)
        : (k === 'depends_on' || k === 'ignore_changes') && Array.isArray(value)
          ? // These hold addresses, not strings.
            render(value.map((a) => raw(String(a))))
          : render(toHcl(value));
    run.push([key(k), rendered]);
    // A blank line after count/for_each sets the meta-arguments apart, as in terraform-aws-modules.
    if (metaFirst.length > 0 && k === metaFirst[metaFirst.length - 1] && keys.length > metaFirst.length) {
      flush();
      lines.push('');
    }
  }
  flush();
  return lines;
}

function block(header: string, obj: JsonObject, literalKeys?: readonly string[]): string {
  const inner = body(obj, literalKeys);
  return inner.length === 0 ? `${header} {\n}` : [`${header} {`, ...inner.map((l) => indent(l)), '}'].join('\n');
}

const join = (blocks: string[]) => (blocks.length ? blocks.join('\n\n') + '\n' : '');

/** Emits the four files of a module from the JSON synthesis of its ModuleStack. */
export function emitModule(synth: JsonObject): ModuleFiles {
  const main: string[] = [];
  const data = (synth.data ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const [type, items] of Object.entries(data)) {
    for (const [name, item] of Object.entries(items)) main.push(block(`data ${quote(type)} ${quote(name)}`, item));
  }
  const locals = (synth.locals ?? {}) as JsonObject;
  if (Object.keys(locals).length > 0) main.push(block('locals', locals));
  const resources = (synth.resource ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const [type, items] of Object.entries(resources)) {
    for (const [name, item] of Object.entries(items)) main.push(block(`resource ${quote(type)} ${quote(name)}`, item));
  }

  const variables = Object.entries((synth.variable ?? {}) as Record<string, JsonObject>).map(([name, v]) => {
    const { description, type, default: def, sensitive, validation } = v;
    const ordered: JsonObject = { description, type: `\${${type as string}}` };
    if (def !== undefined) ordered.default = def;
    if (sensitive) ordered.sensitive = true;
    if (validation) ordered.validation = validation;
    return block(`variable ${quote(name)}`, ordered, ['description', 'error_message']);
  });

  const outputs = Object.entries((synth.output ?? {}) as Record<string, JsonObject>).map(([name, o]) =>
    block(
      `output ${quote(name)}`,
      { description: o.description, value: o.value, ...(o.sensitive ? { sensitive: true } : {}) },
      ['description'],
    ),
  );

  return {
    'main.tf': join(main),
    'variables.tf': join(variables),
    'outputs.tf': join(outputs),
    'versions.tf': VERSIONS_TF,
  };
}
