// A small parser for the part of IoT Hub's query language that target
// conditions use. Conditions are checked here (with a position) instead of
// being discovered broken when the hub rejects the configuration mid fan-out.
//
//   or      := and (OR and)*
//   and     := unary (AND unary)*
//   unary   := NOT unary | '(' or ')' | IS_DEFINED '(' path ')' | path op value | path IN '[' value (',' value)* ']'
//   path    := tags.<name>(.<name>)* | deviceId | capabilities.iotEdge
//   value   := 'string' ('' escapes a quote) | number | true | false

export type ComparisonOperator = '=' | '!=' | '<>' | '<' | '>' | '<=' | '>=';
export type ConditionLiteral = string | number | boolean;

export type ConditionNode =
  | { readonly kind: 'or' | 'and'; readonly left: ConditionNode; readonly right: ConditionNode }
  | { readonly kind: 'not'; readonly operand: ConditionNode }
  | { readonly kind: 'compare'; readonly path: readonly string[]; readonly op: ComparisonOperator; readonly value: ConditionLiteral }
  | { readonly kind: 'in'; readonly path: readonly string[]; readonly values: readonly ConditionLiteral[] }
  | { readonly kind: 'defined'; readonly path: readonly string[] };

export interface ConditionSyntaxError {
  /** 0-based offset into the condition text. */
  readonly position: number;
  readonly message: string;
}

export const MAX_CONDITION_LENGTH = 8192;
const MAX_DEPTH = 64;
/** Twin property names the hub's query grammar accepts without quoting. */
export const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'end'; pos: number };

/** Internal control flow of the parser; never escapes `parseConditionSyntax`. */
class SyntaxFailure extends Error {
  constructor(readonly position: number, message: string) {
    super(message);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new SyntaxFailure(i, 'unterminated string (strings are single-quoted; write \'\' for a quote)');
        if (text[j] === "'") {
          if (text[j + 1] === "'") { value += "'"; j += 2; continue; }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: 'string', value, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num && (c === '-' || /[\d.]/.test(c)) && !(c === '.' && tokens.at(-1)?.kind === 'word')) {
      tokens.push({ kind: 'number', value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (word) { tokens.push({ kind: 'word', text: word[0], pos: i }); i += word[0].length; continue; }
    const op = /^(?:<=|>=|<>|!=|[=<>()[\],.])/.exec(text.slice(i));
    if (op) { tokens.push({ kind: 'punct', text: op[0], pos: i }); i += op[0].length; continue; }
    if (c === '"') throw new SyntaxFailure(i, 'double quotes are not allowed: strings are single-quoted');
    throw new SyntaxFailure(i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS_DEFINED', 'TRUE', 'FALSE']);
const OPERATORS = new Set<string>(['=', '!=', '<>', '<', '>', '<=', '>=']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): ConditionNode {
    const node = this.or(0);
    const t = this.peek();
    if (t.kind !== 'end') throw new SyntaxFailure(t.pos, `expected AND, OR or the end, found ${describe(t)}`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: 'end', pos: 0 };
  }
  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  private isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'word' && t.text.toUpperCase() === kw;
  }
  private expectPunct(text: string, what: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw new SyntaxFailure(t.pos, `expected ${what}, found ${describe(t)}`);
  }

  private or(depth: number): ConditionNode {
    let left = this.and(depth);
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }
  private and(depth: number): ConditionNode {
    let left = this.unary(depth);
    while (this.isKeyword(this.peek(), 'AND')) {
      this.next();
      left = { kind: 'and', left, right: this.unary(depth) };
    }
    return left;
  }
  private unary(depth: number): ConditionNode {
    const t = this.peek();
    if (depth > MAX_DEPTH) throw new SyntaxFailure(t.pos, `nested deeper than ${MAX_DEPTH} levels`);
    if (this.isKeyword(t, 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.unary(depth + 1) };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.or(depth + 1);
      this.expectPunct(')', "')'");
      return inner;
    }
    if (this.isKeyword(t, 'IS_DEFINED')) {
      this.next();
      this.expectPunct('(', "'(' after IS_DEFINED");
      const path = this.path();
      this.expectPunct(')', "')'");
      return { kind: 'defined', path };
    }
    const path = this.path();
    const op = this.next();
    if (this.isKeyword(op, 'IN')) {
      this.expectPunct('[', "'[' after IN");
      const values = [this.value()];
      while (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ',') {
        this.next();
        values.push(this.value());
      }
      this.expectPunct(']', "',' or ']'");
      return { kind: 'in', path, values };
    }
    if (op.kind !== 'punct' || !OPERATORS.has(op.text)) {
      throw new SyntaxFailure(op.pos, `expected a comparison (= != <> < > <= >=) or IN, found ${describe(op)}`);
    }
    return { kind: 'compare', path, op: op.text as ComparisonOperator, value: this.value() };
  }
  private path(): string[] {
    const start = this.next();
    if (start.kind !== 'word' || KEYWORDS.has(start.text.toUpperCase())) {
      throw new SyntaxFailure(start.pos, `expected tags.<name>, deviceId or capabilities.iotEdge, found ${describe(start)}`);
    }
    const segments = [start.text];
    while (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === '.') {
      this.next();
      const seg = this.next();
      if (seg.kind !== 'word' || !PROPERTY_NAME.test(seg.text)) {
        throw new SyntaxFailure(seg.pos, `expected a property name (letters, digits, '_'), found ${describe(seg)}`);
      }
      segments.push(seg.text);
    }
    const root = segments[0];
    const ok =
      (root === 'tags' && segments.length >= 2) ||
      (root === 'deviceId' && segments.length === 1) ||
      (root === 'capabilities' && segments.length === 2 && segments[1] === 'iotEdge');
    if (!ok) {
      throw new SyntaxFailure(start.pos, `'${segments.join('.')}' cannot be targeted: use tags.<name>, deviceId or capabilities.iotEdge`);
    }
    return segments;
  }
  private value(): ConditionLiteral {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (this.isKeyword(t, 'TRUE')) return true;
    if (this.isKeyword(t, 'FALSE')) return false;
    throw new SyntaxFailure(t.pos, `expected a 'string', a number, true or false, found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end': return 'the end of the condition';
    case 'string': return 'a string';
    case 'number': return `the number ${t.value}`;
    default: return `'${t.text}'`;
  }
}

export function parseConditionSyntax(text: string): { ok: true; node: ConditionNode } | { ok: false; error: ConditionSyntaxError } {
  if (text.length > MAX_CONDITION_LENGTH) {
    return { ok: false, error: { position: MAX_CONDITION_LENGTH, message: `longer than ${MAX_CONDITION_LENGTH} characters` } };
  }
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) return { ok: false, error: { position: 0, message: 'is empty' } };
    return { ok: true, node: new Parser(tokens).parse() };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: { position: e.position, message: e.message } };
    throw e;
  }
}

/** The one spelling of a condition: keywords upper-case, single spaces, minimal parentheses. */
export function renderCondition(node: ConditionNode): string {
  switch (node.kind) {
    case 'or':
      return `${renderCondition(node.left)} OR ${renderCondition(node.right)}`;
    case 'and':
      return `${operand(node.left)} AND ${operand(node.right)}`;
    case 'not':
      return `NOT ${node.operand.kind === 'or' || node.operand.kind === 'and' ? `(${renderCondition(node.operand)})` : renderCondition(node.operand)}`;
    case 'compare':
      return `${node.path.join('.')}${node.op}${renderLiteral(node.value)}`;
    case 'in':
      return `${node.path.join('.')} IN [${node.values.map(renderLiteral).join(',')}]`;
    case 'defined':
      return `IS_DEFINED(${node.path.join('.')})`;
  }
}

function operand(node: ConditionNode): string {
  return node.kind === 'or' ? `(${renderCondition(node)})` : renderCondition(node);
}

export function renderLiteral(value: ConditionLiteral): string {
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}
