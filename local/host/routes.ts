// Azure Functions route templates: literal segments, `{name}`, optional
// `{name?}` (last segments only), catch-all `{*rest}`, and the common
// constraints `{id:int}`, `{id:alpha}`, `{id:guid}`, `{id:bool}`. Matching is
// case-insensitive on literals, as in ASP.NET routing.

export interface CompiledRoute {
  readonly template: string;
  match(path: string): Record<string, string> | undefined;
  /** Literal segments count first, so `deployments/openapi` beats `deployments/{id}`. */
  readonly specificity: number;
}

const CONSTRAINTS: Record<string, RegExp> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  alpha: /^[a-z]+$/i,
  bool: /^(true|false)$/i,
  guid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; constraint?: RegExp }
  | { kind: 'catchAll'; name: string };

export function compileRoute(template: string): CompiledRoute {
  const segments: Segment[] = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((s) => s.length > 0)
    .map((raw) => {
      const param = /^\{(\*)?([A-Za-z_][\w]*)(?::([a-z]+))?(\?)?\}$/.exec(raw);
      if (!param) return { kind: 'literal', text: raw.toLowerCase() };
      const [, star, name, constraint, optional] = param;
      if (star) return { kind: 'catchAll', name: name! };
      return {
        kind: 'param',
        name: name!,
        optional: optional === '?',
        ...(constraint ? { constraint: CONSTRAINTS[constraint] ?? /^.*$/ } : {}),
      };
    });

  const specificity = segments.reduce((n, s) => n + (s.kind === 'literal' ? 1000 : s.kind === 'param' ? 10 : 1), 0);

  function match(path: string): Record<string, string> | undefined {
    const parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p.length > 0);
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const part = parts[i];
      if (segment.kind === 'catchAll') {
        const rest = parts.slice(i).map(decodeURIComponent).join('/');
        if (rest) params[segment.name] = rest;
        return params;
      }
      if (part === undefined) {
        // Only trailing optional parameters may be absent.
        return segments.slice(i).every((s) => s.kind !== 'literal' && (s.kind === 'catchAll' || s.optional)) ? params : undefined;
      }
      if (segment.kind === 'literal') {
        if (decodeURIComponent(part).toLowerCase() !== segment.text) return undefined;
        continue;
      }
      const value = decodeURIComponent(part);
      if (segment.constraint && !segment.constraint.test(value)) return undefined;
      params[segment.name] = value;
    }
    return parts.length === segments.length ? params : undefined;
  }

  return { template, match, specificity };
}
