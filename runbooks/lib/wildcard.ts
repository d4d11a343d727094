/**
 * IAM-style wildcard matching, as policies use it for actions, ARNs and the *Like condition operators: `*` is any
 * run of characters (none included), `?` exactly one, everything else literal. Actions compare case-insensitively,
 * ARNs exactly. A character after LITERAL is literal too: what a caller puts before a `*` or `?` that must not be a
 * wildcard (IAM's `${*}` and `${?}` policy variables).
 */
export function wildcardMatches(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  const key = `${options.ignoreCase ? 'i' : 's'}${pattern}`;
  let compiled = COMPILED.get(key);
  if (compiled === undefined) {
    let regex = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === LITERAL && i + 1 < pattern.length) regex += escapeRegex(pattern[++i]);
      else if (c === '*') regex += '[\\s\\S]*';
      else if (c === '?') regex += '[\\s\\S]';
      else regex += escapeRegex(c);
    }
    if (COMPILED.size >= MAX_COMPILED) COMPILED.clear();
    compiled = new RegExp(`^${regex}$`, options.ignoreCase ? 'i' : '');
    COMPILED.set(key, compiled);
  }
  return compiled.test(value);
}

/** Marks the next character of a pattern as literal (see wildcardMatches). */
export const LITERAL = '\u0000';

/** Compiled patterns, bounded: a policy analysis tests the same few patterns against many values. */
const COMPILED = new Map<string, RegExp>();
const MAX_COMPILED = 10_000;

const escapeRegex = (c: string): string => c.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
