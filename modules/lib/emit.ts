/**
 * The module-shaped emit step: cdktf's JSON synthesis of a ModuleStack → native HCL files of a Terraform module.
 * It drops provider and backend blocks, keeps only the minimum versions, and prints "${…}" strings as bare
 * expressions, so the output reads like hand-written Terraform and is `terraform fmt`-clean.
 */
import { alignEntries, HclValue, indent, interpolationEnd, key, quote, quoteLiteral, raw, render } from './hcl';
import type { Declaration } from './module';

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
  'input_transformer',
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

/**
 * Meta-arguments first; then the attributes in the order the construct declared them (`declared`), nested blocks
 * after them; depends_on and lifecycle last. A condition reads before its message.
 */
function order(obj: JsonObject, declared: readonly string[]): string[] {
  const keys = Object.keys(obj).filter((k) => k !== '//');
  const rank = (k: string) => {
    const i = declared.indexOf(k);
    return i === -1 ? declared.length + keys.indexOf(k) : i;
  };
  const isBlock = (k: string) =>
    BLOCKS.has(k) && (isObject(obj[k]) || (Array.isArray(obj[k]) && obj[k].every(isObject)));
  const rest = keys
    .filter((k) => !FIRST.includes(k) && !LAST.includes(k))
    .sort((a, b) => Number(isBlock(a)) - Number(isBlock(b)) || rank(a) - rank(b))
    .sort((a, b) =>
      a === 'condition' && b === 'error_message' ? -1 : a === 'error_message' && b === 'condition' ? 1 : 0,
    );
  return [...FIRST.filter((k) => keys.includes(k)), ...rest, ...LAST.filter((k) => keys.includes(k))];
}

/** The body of a block: attributes (aligned as fmt does), a blank line, then nested blocks. */
function body(obj: JsonObject, literalKeys: readonly string[] = [], declared: readonly string[] = []): string[] {
  const lines: string[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    lines.push(...alignEntries(run).flatMap((l) => l.split('\n')));
    run = [];
  };
  const keys = order(obj, declared);
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

function block(header: string, obj: JsonObject, literalKeys?: readonly string[], declared?: readonly string[]): string {
  const inner = body(obj, literalKeys, declared);
  return inner.length === 0 ? `${header} {}` : [`${header} {`, ...inner.map((l) => indent(l)), '}'].join('\n');
}

const join = (blocks: string[]) => (blocks.length ? blocks.join('\n\n') + '\n' : '');

/**
 * Emits the four files of a module from the JSON synthesis of its ModuleStack. With the construct's declarations,
 * data sources and resources come in the order it declared them (cdktf groups them by type) and so do their
 * attributes (cdktf sorts them by name).
 */
export function emitModule(synth: JsonObject, declarations: readonly Declaration[] = []): ModuleFiles {
  const position = (address: string) => {
    const i = declarations.findIndex((d) => d.address === address);
    return i === -1 ? declarations.length : i;
  };
  const elements = (kind: 'data' | 'resource') =>
    Object.entries((synth[kind] ?? {}) as Record<string, Record<string, JsonObject>>)
      .flatMap(([type, items]) => Object.entries(items).map(([name, item]) => ({ type, name, item })))
      .map((e) => ({ ...e, address: `${kind === 'data' ? 'data.' : ''}${e.type}.${e.name}` }))
      .sort((a, b) => position(a.address) - position(b.address))
      .map(({ type, name, item, address }) =>
        block(
          `${kind} ${quote(type)} ${quote(name)}`,
          item,
          undefined,
          declarations.find((d) => d.address === address)?.attributes,
        ),
      );
  const main: string[] = [...elements('data')];
  const locals = (synth.locals ?? {}) as JsonObject;
  if (Object.keys(locals).length > 0) main.push(block('locals', locals));
  main.push(...elements('resource'));

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
