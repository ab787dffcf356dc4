// Update policies may carry a regular expression: user input that runs against
// every pushed tag. Refuse the shapes that backtrack catastrophically.

/** Why the pattern is refused, or undefined when it is safe to use. */
export function dangerousRegexp(pattern: string): string | undefined {
  // Nested quantifiers ((a+)+, (a*)*, (\w+)* …) can backtrack for ever on a crafted tag.
  if (/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/.test(pattern)) return 'nested quantifiers can backtrack catastrophically';
  if (/\\[1-9]/.test(pattern)) return 'back references are not allowed';
  try {
    new RegExp(pattern);
  } catch {
    return 'is not a valid regular expression';
  }
  return undefined;
}
