// A set of field paths as structured-merge-diff keeps it (sigs.k8s.io/structured-merge-diff,
// fieldpath/set.go): a trie whose nodes are path elements, each node either a
// member of the set or only on the way to one. Its wire form is FieldsV1
// (k8s.io/apimachinery/pkg/apis/meta/v1/types.go, `FieldsV1`): every key is
// `f:<field>`, `k:<key fields as JSON>`, `v:<value as JSON>` or `i:<index>`,
// `.` marks a node that is itself a member, and a member without children is `{}`.
import { isPlainObject } from '../deployments/canonicalJson';

/** One path element in its FieldsV1 spelling: `f:image`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export type PathElement = string;
export type Path = readonly PathElement[];

const ELEMENT = /^(f|k|v|i):/;
const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Children in the order the apiserver writes them: fields, then keys, values, indexes (fieldpath.PathElement.Less). */
const compareElements = (a: string, b: string) => (ORDER[a[0]!]! - ORDER[b[0]!]!) || (a < b ? -1 : a > b ? 1 : 0);

export class FieldSet {
  private member = false;
  private readonly children = new Map<PathElement, FieldSet>();

  static of(paths: Iterable<Path>): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** The set a FieldsV1 value describes; undefined when it is not one. */
  static fromFieldsV1(value: unknown): FieldSet | undefined {
    if (!isPlainObject(value)) return undefined;
    const set = new FieldSet();
    for (const [key, child] of Object.entries(value)) {
      if (key === '.') {
        set.member = true;
        continue;
      }
      if (!ELEMENT.test(key)) return undefined;
      const sub = FieldSet.fromFieldsV1(child);
      if (!sub) return undefined;
      if (sub.children.size === 0) sub.member = true;
      set.children.set(key, sub);
    }
    return set;
  }

  insert(path: Path): this {
    const [first, ...rest] = path;
    if (first === undefined) this.member = true;
    else {
      let child = this.children.get(first);
      if (!child) this.children.set(first, (child = new FieldSet()));
      child.insert(rest);
    }
    return this;
  }

  private node(path: Path): FieldSet | undefined {
    const [first, ...rest] = path;
    return first === undefined ? this : this.children.get(first)?.node(rest);
  }

  /** `path` itself is a member. */
  has(path: Path): boolean {
    return this.node(path)?.member ?? false;
  }

  /** `path` or something below it is a member. */
  hasWithin(path: Path): boolean {
    const node = this.node(path);
    return node !== undefined && (node.member || node.members().length > 0);
  }

  /** Every member path, parents before their children. */
  members(prefix: Path = []): Path[] {
    const out: Path[] = this.member && prefix.length ? [prefix] : [];
    for (const key of [...this.children.keys()].sort(compareElements)) out.push(...this.children.get(key)!.members([...prefix, key]));
    return out;
  }

  isEmpty(): boolean {
    return this.members().length === 0;
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.members(), ...other.members()]);
  }

  /** Members of this set that are not members of `other` (member by member, as fieldpath.Set.Difference). */
  difference(other: FieldSet): FieldSet {
    return FieldSet.of(this.members().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(this.members().filter((p) => other.has(p)));
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = [...this.children.keys()].filter((k) => this.children.get(k)!.hasWithin([])).sort(compareElements);
    if (this.member && keys.length) out['.'] = {};
    for (const key of keys) out[key] = this.children.get(key)!.toFieldsV1();
    return out;
  }
}

/** A path as the apiserver prints it in conflicts (fieldpath.Path.String): `.spec.template.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      switch (element[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key)
            .sort()
            .map((name) => `${name}=${JSON.stringify(key[name])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
