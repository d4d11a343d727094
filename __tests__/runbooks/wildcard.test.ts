/**
 * The one IAM wildcard matcher (runbooks/lib/wildcard.ts): `*` and `?` as IAM reads them, LITERAL escapes, case
 * folding for actions, checked against a regular-expression oracle on every small pattern, and a hostile pattern
 * that a backtracking matcher cannot finish.
 */
import { LITERAL, wildcardMatches } from '../../runbooks/lib/wildcard';

/** The oracle: the pattern as an anchored regular expression (fine for the short cases below). */
function oracle(pattern: string, value: string, ignoreCase = false): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === LITERAL && i + 1 < pattern.length)
      source += `\\u${pattern.charCodeAt(++i).toString(16).padStart(4, '0')}`;
    else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** Every string over `alphabet` up to `length` characters. */
function* strings(alphabet: string[], length: number): Generator<string> {
  yield '';
  if (length === 0) return;
  for (const shorter of strings(alphabet, length - 1)) {
    if (shorter.length !== length - 1) continue;
    for (const c of alphabet) yield shorter + c;
  }
}
const upTo = (alphabet: string[], length: number) => {
  const all = new Set<string>();
  for (let n = 0; n <= length; n++) for (const s of strings(alphabet, n)) all.add(s);
  return [...all];
};

describe('wildcardMatches', () => {
  it('agrees with the regular-expression oracle on every pattern and value up to five characters', () => {
    const patterns = upTo(['a', 'b', '*', '?', `${LITERAL}*`], 4);
    const values = upTo(['a', 'b', '*'], 5);
    let disagreements = 0;
    for (const pattern of patterns) {
      for (const value of values) if (wildcardMatches(pattern, value) !== oracle(pattern, value)) disagreements++;
    }
    expect({ cases: patterns.length * values.length > 50_000, disagreements }).toEqual({
      cases: true,
      disagreements: 0,
    });
  });

  it('IAM examples: actions fold case, ARNs do not, `*` crosses colons and slashes', () => {
    expect(wildcardMatches('s3:Get*', 'S3:GETBUCKETPOLICY', { ignoreCase: true })).toBe(true);
    expect(wildcardMatches('s3:Get*', 'S3:GETBUCKETPOLICY')).toBe(false);
    expect(wildcardMatches('arn:aws:iam::*:root', 'arn:aws:iam::111122223333:root')).toBe(true);
    expect(wildcardMatches('arn:aws:iam::*:root', 'arn:aws:iam::111122223333:role/root')).toBe(false);
    expect(wildcardMatches('arn:aws:iam::*:role/*', 'arn:aws:iam::1:role/a/b:c')).toBe(true);
    expect(wildcardMatches('arn:aws:s3:::bucket-??', 'arn:aws:s3:::bucket-01')).toBe(true);
    expect(wildcardMatches('arn:aws:s3:::bucket-??', 'arn:aws:s3:::bucket-1')).toBe(false);
    expect(wildcardMatches(`a${LITERAL}*b`, 'a*b')).toBe(true);
    expect(wildcardMatches(`a${LITERAL}*b`, 'axb')).toBe(false);
    expect(wildcardMatches('', '')).toBe(true);
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('?', '')).toBe(false);
  });

  it('a policy pattern built to make a backtracking matcher run for hours is decided', () => {
    // A regular expression of this pattern tried 60 characters for over a minute; here the value has 20,000.
    const hostile = `arn:aws:iam::*:role/a${'*a'.repeat(40)}b`;
    expect(wildcardMatches(hostile, `arn:aws:iam::111122223333:role/${'a'.repeat(20_000)}`)).toBe(false);
    expect(wildcardMatches(hostile, `arn:aws:iam::111122223333:role/${'a'.repeat(20_000)}b`)).toBe(true);
  });
});
