/**
 * A strict JSON reader for files the user hands in (policy documents, backups). It exists because JSON.parse's
 * errors quote the input ("Unexpected token 'r', "root:*:202"... is not valid JSON") and a message must never
 * show a file's content: this one says what is wrong and where (line and column), nothing else. It also refuses
 * what JSON.parse lets through silently and a policy engine may read differently: duplicate keys (JSON.parse keeps
 * the last one), a byte order mark, and nesting deep enough to exhaust the stack.
 */

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string; readonly at: JsonPosition };

/** Far deeper than any policy or backup, far shallower than the stack. */
const MAX_DEPTH = 64;

class JsonSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly offset: number,
  ) {
    super(problem);
  }
}

/** Line and column (both from 1) of a character offset, for messages. */
export function positionOf(text: string, offset: number): JsonPosition {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

export function parseJsonText(text: string): JsonResult {
  try {
    if (text.charCodeAt(0) === 0xfeff) throw new JsonSyntaxError('it starts with a byte order mark', 0);
    const reader = new Reader(text);
    reader.space();
    const value = reader.value(0);
    reader.space();
    if (reader.pos < text.length) throw new JsonSyntaxError('unexpected text after the JSON value', reader.pos);
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return { ok: false, problem: err.problem, at: positionOf(text, err.offset) };
  }
}

/** "line 3, column 14" */
export function describePosition(at: JsonPosition): string {
  return `line ${at.line}, column ${at.column}`;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  space(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos += 1;
  }

  private fail(problem: string, at = this.pos): never {
    throw new JsonSyntaxError(problem, at);
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`it is nested more than ${MAX_DEPTH} levels deep`);
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(c === undefined ? 'it ends before the JSON value is complete' : 'a JSON value was expected');
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos += 1;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return result;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('a double-quoted property name was expected');
      const keyAt = this.pos;
      const key = this.string();
      if (Object.hasOwn(result, key)) this.fail('a property name appears twice in the same object', keyAt);
      this.space();
      if (this.text[this.pos] !== ':') this.fail('":" was expected after the property name');
      this.pos += 1;
      this.space();
      // defineProperty, not assignment: a "__proto__" key must stay a plain property, as JSON.parse makes it.
      Object.defineProperty(result, key, { value: this.value(depth + 1), enumerable: true, writable: true });
      this.space();
      if (this.closes('}')) return result;
    }
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos += 1;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.space();
      if (this.closes(']')) return result;
    }
  }

  /** After a member: "," (and more follows) or the closing bracket. */
  private closes(bracket: '}' | ']'): boolean {
    const c = this.text[this.pos];
    if (c === bracket) {
      this.pos += 1;
      return true;
    }
    if (c !== ',') this.fail(c === undefined ? `it ends before "${bracket}"` : `"," or "${bracket}" was expected`);
    const comma = this.pos;
    this.pos += 1;
    this.space();
    if (this.text[this.pos] === bracket) this.fail(`a trailing comma before "${bracket}" is not JSON`, comma);
    return false;
  }

  private string(): string {
    const start = this.pos;
    this.pos += 1;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('a string is not closed', start);
      if (c === '"') {
        this.pos += 1;
        return out;
      }
      if (c < ' ') this.fail('a string contains a raw control character (escape it, e.g. \\n)');
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('a \\u escape needs four hex digits');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          this.pos += 2;
        } else {
          this.fail('a string contains an invalid escape');
        }
      } else {
        out += c;
        this.pos += 1;
      }
    }
  }

  private number(): number {
    const start = this.pos;
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (match === null) this.fail('a number is malformed');
    this.pos += match[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[\w.+-]/.test(next)) this.fail('a number is malformed', start);
    return Number(match[0]);
  }
}
