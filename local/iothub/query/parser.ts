// Recursive-descent parser for the IoT Hub query subset:
//   SELECT * | COUNT() [AS x] | path [AS x], ... FROM devices | devices.modules [WHERE condition]
// and for bare conditions (configuration target conditions, metric filters).
import { type CompareOp, type Condition, type Literal, type Operand, type Query, QuerySyntaxError, type Selection } from './ast';
import { type Token, tokenize } from './lexer';

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'AS', 'TRUE', 'FALSE', 'NULL']);
const FUNCTIONS = { IS_DEFINED: 1, STARTSWITH: 2, ENDSWITH: 2 } as const;

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private fail(message: string, token = this.peek()): never {
    throw new QuerySyntaxError(message, token.pos);
  }
  private isKeyword(word: string, token = this.peek()): boolean {
    return token.type === 'ident' && token.text.toUpperCase() === word;
  }
  private isPunct(text: string, token = this.peek()): boolean {
    return token.type === 'punct' && token.text === text;
  }
  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`Expected ${word}`);
    this.i++;
  }
  private expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(`Expected '${text}'`);
    this.i++;
  }
  expectEnd(): void {
    if (this.peek().type !== 'end') this.fail('Unexpected text after the end');
  }

  query(): Query {
    this.expectKeyword('SELECT');
    const select = this.selection();
    this.expectKeyword('FROM');
    const source = this.path();
    const from = source.join('.').toLowerCase();
    if (from !== 'devices' && from !== 'devices.modules') this.fail(`Unknown collection '${source.join('.')}'`);
    let where: Condition | undefined;
    if (this.isKeyword('WHERE')) {
      this.i++;
      where = this.condition();
    }
    this.expectEnd();
    return { select, from, where };
  }

  private selection(): Selection {
    if (this.isPunct('*')) {
      this.i++;
      return { kind: 'all' };
    }
    if (this.isKeyword('COUNT')) {
      this.i++;
      this.expectPunct('(');
      this.expectPunct(')');
      return { kind: 'count', alias: this.alias() ?? '$1' };
    }
    const fields: { path: string[]; alias: string }[] = [];
    do {
      if (fields.length) this.i++;
      const path = this.path();
      fields.push({ path, alias: this.alias() ?? path[path.length - 1]! });
    } while (this.isPunct(','));
    return { kind: 'fields', fields };
  }

  private alias(): string | undefined {
    if (!this.isKeyword('AS')) return undefined;
    this.i++;
    const token = this.next();
    if (token.type !== 'ident') this.fail('Expected an alias', token);
    return token.text;
  }

  private path(): string[] {
    const segments: string[] = [];
    for (;;) {
      const token = this.next();
      if (token.type === 'ident' && !KEYWORDS.has(token.text.toUpperCase())) segments.push(token.text);
      else if (token.type === 'bracketed') segments.push(token.text);
      else this.fail('Expected a property name', token);
      if (!this.isPunct('.')) return segments;
      this.i++;
    }
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.i++;
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Condition {
    if (this.isKeyword('NOT')) {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    if (this.isPunct('(')) {
      this.i++;
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const token = this.peek();
    const upper = token.type === 'ident' ? token.text.toUpperCase() : '';
    if (upper in FUNCTIONS && this.isPunct('(', this.tokens[this.i + 1])) {
      const name = upper as keyof typeof FUNCTIONS;
      this.i += 2;
      const args: Operand[] = [];
      while (!this.isPunct(')')) {
        if (args.length) this.expectPunct(',');
        args.push(this.operand());
      }
      this.i++;
      if (args.length !== FUNCTIONS[name]) this.fail(`${name} takes ${FUNCTIONS[name]} argument(s)`, token);
      return { kind: 'call', name, args };
    }
    const left = this.operand();
    if (left.kind === 'value' && typeof left.value === 'boolean' && !this.isComparison()) {
      return { kind: 'constant', value: left.value };
    }
    let negated = false;
    if (this.isKeyword('NOT') && this.isKeyword('IN', this.tokens[this.i + 1])) {
      negated = true;
      this.i++;
    }
    if (this.isKeyword('IN')) {
      this.i++;
      this.expectPunct('[');
      const values: Operand[] = [];
      while (!this.isPunct(']')) {
        if (values.length) this.expectPunct(',');
        values.push(this.operand());
      }
      this.i++;
      return { kind: 'in', operand: left, values, negated };
    }
    if (!this.isComparison()) this.fail('Expected a comparison operator');
    const op = (this.next() as { text: string }).text as CompareOp;
    return { kind: 'compare', op, left, right: this.operand() };
  }

  private isComparison(): boolean {
    const t = this.peek();
    return t.type === 'punct' && ['=', '!=', '<', '>', '<=', '>='].includes(t.text);
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.type === 'string') {
      this.i++;
      return { kind: 'value', value: token.text };
    }
    if (token.type === 'number') {
      this.i++;
      return { kind: 'value', value: token.value };
    }
    if (token.type === 'ident') {
      const literal: Record<string, Literal> = { TRUE: true, FALSE: false, NULL: null };
      const upper = token.text.toUpperCase();
      if (upper in literal) {
        this.i++;
        return { kind: 'value', value: literal[upper]! };
      }
    }
    if (token.type === 'ident' || token.type === 'bracketed') return { kind: 'path', segments: this.path() };
    return this.fail('Expected a value or a property');
  }
}

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).query();
}

/** Parses a bare condition such as a configuration's target condition. `*` targets everything. */
export function parseCondition(text: string): Condition {
  if (text.trim() === '*') return { kind: 'constant', value: true };
  const parser = new Parser(tokenize(text));
  const condition = parser.condition();
  parser.expectEnd();
  return condition;
}
