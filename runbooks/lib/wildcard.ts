/**
 * IAM-style wildcard matching, as policies use it for actions, ARNs and the *Like condition operators: `*` is any
 * run of characters (none included), `?` exactly one, everything else literal. Actions compare case-insensitively,
 * ARNs exactly. A character after LITERAL is literal too: what a caller puts before a `*` or `?` that must not be a
 * wildcard (IAM's `${*}` and `${?}` policy variables).
 *
 * No regular expressions: a policy is input (a scanned bucket's, a file), and a pattern such as `a*a*a*a*…b` made
 * a backtracking regex run for over a minute on a 60-character value. The greedy match below retries only from the last `*`, so it takes at most
 * pattern length × value length steps.
 */
export function wildcardMatches(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  const compiled = compile(pattern, options.ignoreCase === true);
  const text = options.ignoreCase ? value.toLowerCase() : value;
  const { chars, kinds } = compiled;
  const n = kinds.length;
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < text.length) {
    const kind = p < n ? kinds[p] : END;
    if (kind === ONE || (kind === CHAR && chars[p] === text[v])) {
      p++;
      v++;
    } else if (kind === STAR) {
      // Try the rest of the pattern here first; on a mismatch this `*` takes one more character.
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (p < n && kinds[p] === STAR) p++;
  return p === n;
}

/** Marks the next character of a pattern as literal (see wildcardMatches). */
export const LITERAL = '\u0000';

const CHAR = 0;
const ONE = 1;
const STAR = 2;
/** Past the pattern's end: only an earlier `*` can still match the rest. */
const END = 3;

interface Compiled {
  /** The literal character at each position ('' for a wildcard). */
  readonly chars: readonly string[];
  readonly kinds: Uint8Array;
}

/** Compiled patterns, bounded: a policy analysis tests the same few patterns against many values. */
const COMPILED = new Map<string, Compiled>();
const MAX_COMPILED = 10_000;

function compile(pattern: string, ignoreCase: boolean): Compiled {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let compiled = COMPILED.get(key);
  if (compiled !== undefined) return compiled;
  const source = ignoreCase ? pattern.toLowerCase() : pattern;
  const chars: string[] = [];
  const kinds: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === LITERAL && i + 1 < source.length) {
      chars.push(source[++i]);
      kinds.push(CHAR);
    } else if (c === '*') {
      // Consecutive stars match what one does.
      if (kinds[kinds.length - 1] !== STAR) {
        chars.push('');
        kinds.push(STAR);
      }
    } else if (c === '?') {
      chars.push('');
      kinds.push(ONE);
    } else {
      chars.push(c);
      kinds.push(CHAR);
    }
  }
  compiled = { chars, kinds: Uint8Array.from(kinds) };
  if (COMPILED.size >= MAX_COMPILED) COMPILED.clear();
  COMPILED.set(key, compiled);
  return compiled;
}
