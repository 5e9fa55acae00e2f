/**
 * IAM condition matching for the values a Lambda resource policy puts on `AWS:SourceArn`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */

/**
 * `*` matches any run of characters (none included), `?` exactly one; everything else matches itself
 * (case-sensitive unless `ignoreCase`). Greedy with one backtrack point, so the work stays O(pattern × value) even
 * for patterns like `*a*a*a*b` that make a regular expression backtrack exponentially.
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let starVi = 0;
  while (vi < v.length) {
    const pc = p[pi];
    if (pc === '*') {
      star = pi++;
      starVi = vi;
    } else if (pc !== undefined && (pc === '?' || pc === v[vi])) {
      pi++;
      vi++;
    } else if (star >= 0) {
      // Let the last `*` swallow one more character and retry after it.
      pi = star + 1;
      vi = ++starVi;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** Splits an ARN into its six colon-separated parts (the resource part keeps its own colons). */
export function arnParts(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/**
 * `ArnLike` / `ArnEquals` (IAM treats both alike): each of the six colon-separated parts is matched on its own, with
 * `*` and `?` wildcards inside a part, so a `*` never reaches across a colon into the next part. A pattern that is
 * not six parts matches nothing.
 */
export function arnLike(pattern: string, arn: string): boolean {
  const p = arnParts(pattern);
  const a = arnParts(arn);
  if (p === undefined || a === undefined) return false;
  return p.every((part, i) => globMatch(part, a[i] ?? ''));
}
