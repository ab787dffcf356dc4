// Just enough reading of Bicep text for offline checks (no Bicep compiler can be
// installed here): params with their decorators, module paths, app setting
// names, role definition ids and route sources. Structure, not semantics.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface BicepFile {
  readonly path: string;
  readonly text: string;
}

export function readBicep(dir: string): BicepFile[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.bicep') ? [join(d, e.name)] : []));
  return walk(dir).map((path) => ({ path: relative(dir, path), text: readFileSync(path, 'utf8') }));
}

/** `param name type` declarations, and whether a `@description(...)` stands right above each. */
export function params(file: BicepFile): { name: string; described: boolean }[] {
  const lines = file.text.split('\n');
  return lines.flatMap((line, i) => {
    const match = /^param\s+(\w+)\s/.exec(line);
    if (!match) return [];
    let j = i - 1;
    const decorators: string[] = [];
    while (j >= 0 && lines[j]!.trim().startsWith('@')) decorators.push(lines[j--]!.trim());
    return [{ name: match[1]!, described: decorators.some((d) => d.startsWith('@description(')) }];
  });
}

export function modulePaths(file: BicepFile): string[] {
  return [...file.text.matchAll(/^module\s+\w+\s+'([^']+)'/gm)].map((m) => m[1]!);
}

/** `{ name: 'X', value: ... }` entries: app settings as the function app module declares them. */
export function settingEntries(file: BicepFile): { name: string; value: string }[] {
  return [...file.text.matchAll(/\{\s*name:\s*'([A-Za-z0-9_]+)'\s*,\s*value:\s*([^}\n]+)\}/g)].map((m) => ({ name: m[1]!, value: m[2]!.trim() }));
}

/** The keys of an object literal given as a param default, e.g. webhookSecretNames. */
export function objectDefaultKeys(file: BicepFile, param: string): string[] {
  const block = new RegExp(`param\\s+${param}\\s+object\\s*=\\s*\\{([^}]*)\\}`).exec(file.text)?.[1] ?? '';
  return [...block.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]!);
}

export function routeSources(file: BicepFile): string[] {
  return [...file.text.matchAll(/source:\s*'(\w+)'/g)].map((m) => m[1]!);
}
