// Evaluates parsed conditions and queries against twin documents. Like IoT
// Hub, a comparison with an undefined property is false (never an error), and
// values of different types are never equal or ordered.
import { type Condition, type Literal, type Operand, type Query } from './ast';

export type Doc = Readonly<Record<string, unknown>>;

export function resolvePath(doc: unknown, segments: readonly string[]): unknown {
  let current: unknown = doc;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function value(operand: Operand, doc: Doc): unknown {
  return operand.kind === 'value' ? operand.value : resolvePath(doc, operand.segments);
}

const isScalar = (v: unknown): v is Literal => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined || !isScalar(a) || !isScalar(b)) return false;
  if (op === '=') return a === b;
  if (op === '!=') return typeof a === typeof b && a !== b;
  if (typeof a !== typeof b || a === null || b === null || typeof a === 'boolean') return false;
  switch (op) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    default:
      return a >= b;
  }
}

export function evaluateCondition(condition: Condition, doc: Doc): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, doc) && evaluateCondition(condition.right, doc);
    case 'or':
      return evaluateCondition(condition.left, doc) || evaluateCondition(condition.right, doc);
    case 'not':
      return !evaluateCondition(condition.operand, doc);
    case 'constant':
      return condition.value;
    case 'compare':
      return compare(condition.op, value(condition.left, doc), value(condition.right, doc));
    case 'in': {
      const v = value(condition.operand, doc);
      if (v === undefined) return false;
      const found = condition.values.some((candidate) => compare('=', v, value(candidate, doc)));
      return condition.negated ? !found : found;
    }
    case 'call': {
      const [first, second] = condition.args.map((arg) => value(arg, doc));
      if (condition.name === 'IS_DEFINED') return first !== undefined;
      if (typeof first !== 'string' || typeof second !== 'string') return false;
      return condition.name === 'STARTSWITH' ? first.startsWith(second) : first.endsWith(second);
    }
  }
}

/** Runs a parsed query over the documents of its collection; the caller pages the result. */
export function runQuery(query: Query, docs: Iterable<Doc>): Doc[] {
  const matching: Doc[] = [];
  for (const doc of docs) if (!query.where || evaluateCondition(query.where, doc)) matching.push(doc);
  const select = query.select;
  if (select.kind === 'all') return matching;
  if (select.kind === 'count') return [{ [select.alias]: matching.length }];
  return matching.map((doc) => {
    const row: Record<string, unknown> = {};
    for (const field of select.fields) {
      const v = resolvePath(doc, field.path);
      if (v !== undefined) row[field.alias] = v;
    }
    return row;
  });
}
