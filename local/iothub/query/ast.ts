// The syntax tree of the IoT Hub query subset the simulator understands.

export type Literal = string | number | boolean | null;

export type Operand =
  | { readonly kind: 'path'; readonly segments: readonly string[] }
  | { readonly kind: 'value'; readonly value: Literal };

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'in'; readonly operand: Operand; readonly values: readonly Operand[]; readonly negated: boolean }
  | { readonly kind: 'call'; readonly name: 'IS_DEFINED' | 'STARTSWITH' | 'ENDSWITH'; readonly args: readonly Operand[] }
  | { readonly kind: 'constant'; readonly value: boolean };

export type Selection =
  | { readonly kind: 'all' }
  | { readonly kind: 'count'; readonly alias: string }
  | { readonly kind: 'fields'; readonly fields: readonly { readonly path: readonly string[]; readonly alias: string }[] };

export interface Query {
  readonly select: Selection;
  readonly from: 'devices' | 'devices.modules';
  readonly where: Condition | undefined;
}

/** A query or condition the parser rejected; `position` is the offset in the text. */
export class QuerySyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} (at position ${position})`);
    this.name = 'QuerySyntaxError';
  }
}
