// Label and field selectors as list calls send them
// (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors).
// Every form is understood and matched in memory; equality terms also narrow the stored listing.

export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!exists' };

export type SelectorResult = { readonly ok: true; readonly requirements: readonly Requirement[] } | { readonly ok: false; readonly message: string };

export function parseLabelSelector(text: string | null): SelectorResult {
  const requirements: Requirement[] = [];
  if (!text) return { ok: true, requirements };
  // Split on commas outside parentheses.
  const terms = text.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  for (const raw of terms) {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term))) requirements.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
    else if ((m = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) });
    else if ((m = /^!\s*([\w./-]+)$/.exec(term))) requirements.push({ key: m[1]!, op: '!exists' });
    else if ((m = /^([\w./-]+)$/.exec(term))) requirements.push({ key: m[1]!, op: 'exists' });
    else return { ok: false, message: `unable to parse requirement: ${term}` };
  }
  return { ok: true, requirements };
}

export function matchesLabels(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (!('values' in r)) return has === (r.op === 'exists');
    const listed = has && r.values.includes(labels[r.key]!);
    return r.op === 'in' ? listed : !listed;
  });
}

/** The `k=v` terms: these the store can filter on. */
export function equalityLabels(requirements: readonly Requirement[]): Record<string, string> | undefined {
  const eq = requirements.flatMap((r) => (r.op === 'in' && r.values.length === 1 ? [[r.key, r.values[0]!] as const] : []));
  return eq.length ? Object.fromEntries(eq) : undefined;
}

/** fieldSelector terms `path=value` / `path==value` / `path!=value`; values of the object are read by dotted path. */
export function parseFieldSelector(text: string | null): { ok: true; terms: { path: string; value: string; negate: boolean }[] } | { ok: false; message: string } {
  const terms: { path: string; value: string; negate: boolean }[] = [];
  for (const raw of (text ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
    if (!m) return { ok: false, message: `invalid field selector: ${raw}` };
    terms.push({ path: m[1]!, value: m[3]!, negate: m[2] === '!=' });
  }
  return { ok: true, terms };
}

export function matchesFields(terms: readonly { path: string; value: string; negate: boolean }[], object: unknown): boolean {
  return terms.every((t) => {
    const value = t.path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object);
    return ((typeof value === 'string' || typeof value === 'number' ? String(value) : '') === t.value) !== t.negate;
  });
}
