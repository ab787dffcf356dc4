// A line diff of two revisions' specs: both printed as JSON with sorted keys,
// so only real changes show, then compared by longest common subsequence
// (specs are a few hundred lines at most).

export interface DiffLine {
  readonly op: ' ' | '+' | '-';
  readonly text: string;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export const specLines = (spec: unknown): string[] => JSON.stringify(sortKeys(spec), null, 2).split('\n');

export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: common lines of before[i..] and after[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: ' ', text: before[i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push({ op: '+', text: after[j++]! });
    else out.push({ op: '-', text: before[i++]! });
  }
  return out;
}

export const diffSpecs = (before: unknown, after: unknown): DiffLine[] => diffLines(specLines(before), specLines(after));
