/**
 * Rendering of native HCL text that `terraform fmt` leaves unchanged. Used twice: by the constructs, to write
 * expressions (policy documents, locals) that go through cdktf's JSON synthesis as "${…}" strings, and by the
 * emit step, to print the synthesized JSON as module files. fmt's rules honoured here: two-space indent, `=`
 * aligned across consecutive single-line entries, a multi-line entry breaks the alignment group.
 */

/** A raw HCL expression, printed as-is (e.g. `var.allowed_regions`). */
export class Raw {
  constructor(readonly expr: string) {}
}

export const raw = (expr: string): Raw => new Raw(expr);

/** A value the renderer understands: JSON data where Raw marks an expression. */
export type HclValue = string | number | boolean | null | Raw | HclValue[] | { [key: string]: HclValue };

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MAX_INLINE = 80;

/** HCL quoted string; `${` stays live so templates keep interpolating, `%{` is escaped. */
export function quote(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      out += '$${';
      i += 3;
      continue;
    }
    if (s.startsWith('${', i)) {
      // An interpolation is HCL, copied verbatim up to its matching brace.
      const end = interpolationEnd(s, i);
      out += s.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    const c = s[i++];
    out += c === '"' || c === '\\' ? '\\' + c : c === '\n' ? '\\n' : c === '%' && s[i] === '{' ? '%%' : c;
  }
  return `"${out}"`;
}

/** Index of the `}` closing the interpolation that starts at `start`, skipping braces inside string literals. */
export function interpolationEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error(`unterminated interpolation in ${JSON.stringify(s)}`);
}

/** Quoted string with every template sequence escaped: for literal text such as descriptions. */
export function quoteLiteral(s: string): string {
  return quote(s.replace(/\$\{/g, '$$$${'));
}

export function key(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

/** Renders a value at column 0; continuation lines are indented relative to the first line. */
export function render(value: HclValue, literalStrings = false): string {
  if (value instanceof Raw) return value.expr;
  if (value === null) return 'null';
  if (typeof value === 'string') return literalStrings ? quoteLiteral(value) : quote(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return renderList(value, literalStrings);
  return renderObject(value, literalStrings);
}

function renderList(items: HclValue[], literalStrings: boolean): string {
  if (items.length === 0) return '[]';
  const parts = items.map((i) => render(i, literalStrings));
  const inline = `[${parts.join(', ')}]`;
  if (!parts.some((p) => p.includes('\n')) && inline.length <= MAX_INLINE) return inline;
  // A single object in a list is written `[{ … }]`, the shape fmt keeps and policy documents read best in.
  if (parts.length === 1 && parts[0].startsWith('{')) return `[${parts[0]}]`;
  return ['[', ...parts.map((p) => indent(p) + ','), ']'].join('\n');
}

function renderObject(obj: { [key: string]: HclValue }, literalStrings: boolean): string {
  const entries = Object.entries(obj);
  if (entries.length === 0) return '{}';
  return [
    '{',
    ...alignEntries(entries.map(([k, v]) => [key(k), render(v, literalStrings)])).map((l) => indent(l)),
    '}',
  ].join('\n');
}

/** `name = value` lines, with `=` aligned across runs of single-line values as fmt does. */
export function alignEntries(entries: [string, string][]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < entries.length) {
    if (entries[i][1].includes('\n')) {
      out.push(`${entries[i][0]} = ${entries[i][1]}`);
      i++;
      continue;
    }
    let j = i;
    while (j < entries.length && !entries[j][1].includes('\n')) j++;
    const width = Math.max(...entries.slice(i, j).map(([k]) => k.length));
    for (; i < j; i++) out.push(`${entries[i][0].padEnd(width)} = ${entries[i][1]}`);
  }
  return out;
}

export function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

/** `${expr}` for a cdktf attribute: the JSON synthesis carries it verbatim to Terraform. */
export function tf(value: HclValue): string {
  return '${' + render(value) + '}';
}
