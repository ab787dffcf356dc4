// Target conditions are only ever made by `targetCondition` (a tagged template
// that quotes every interpolated value) or by parsing user text. There is no
// way to turn an arbitrary string into a TargetCondition, so a tag value like
// "x' OR deviceId<>'" can never widen a rollout (STYLE.md: the unsafe thing is
// impossible at the type level).
import { AppError, type FieldIssue } from '../../errors';
import {
  type ConditionLiteral,
  type ConditionNode,
  parseConditionSyntax,
  PROPERTY_NAME,
  renderCondition,
  renderLiteral,
} from './conditionSyntax';
import { invalid, ok, type Result } from './result';

const TOKEN = Symbol('TargetCondition');

export class TargetCondition {
  /** The canonical text IoT Hub receives. */
  readonly text: string;
  /** @internal Only this module and its parser build conditions. */
  constructor(token: typeof TOKEN, readonly node: ConditionNode) {
    if (token !== TOKEN) throw new TypeError('TargetCondition is built by targetCondition`...` or parseTargetCondition');
    this.text = renderCondition(node);
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/** A twin property path, validated segment by segment; rendered verbatim in a template. */
export class ConditionPath {
  private constructor(readonly text: string) {}
  static tag(...segments: string[]): ConditionPath {
    const bad = segments.find((s) => !PROPERTY_NAME.test(s));
    if (segments.length === 0 || bad !== undefined) {
      throw new AppError('InvalidTagName', 400, `'${bad ?? ''}' is not a tag name: use letters, digits and '_'.`, { retryable: false });
    }
    return new ConditionPath(`tags.${segments.join('.')}`);
  }
  static readonly deviceId = new ConditionPath('deviceId');
  static readonly iotEdge = new ConditionPath('capabilities.iotEdge');
}

export type ConditionArgument = ConditionLiteral | readonly ConditionLiteral[] | ConditionPath | TargetCondition;

function renderArgument(arg: ConditionArgument): string {
  if (arg instanceof ConditionPath) return arg.text;
  if (arg instanceof TargetCondition) return `(${arg.text})`;
  if (Array.isArray(arg)) {
    const items = arg as readonly ConditionLiteral[];
    if (items.length === 0) throw new TypeError('an IN list needs at least one value');
    return `[${items.map((v) => renderArgument(v)).join(',')}]`;
  }
  if (typeof arg === 'number' && !Number.isFinite(arg)) throw new TypeError(`${arg} cannot appear in a target condition`);
  return renderLiteral(arg as ConditionLiteral);
}

/**
 * targetCondition`${ConditionPath.tag('env')}=${env} AND ${ConditionPath.tag('site')} IN ${sites}`
 * Strings are quoted with '' escapes, arrays become IN lists, nested conditions are parenthesised.
 * The static parts are code, so a syntax error there is a programming error and throws.
 */
export function targetCondition(strings: TemplateStringsArray, ...args: ConditionArgument[]): TargetCondition {
  let text = strings[0] ?? '';
  args.forEach((arg, i) => {
    text += renderArgument(arg) + (strings[i + 1] ?? '');
  });
  const parsed = parseConditionSyntax(text);
  if (!parsed.ok) throw new TypeError(`targetCondition template is invalid at ${parsed.error.position}: ${parsed.error.message}`);
  return new TargetCondition(TOKEN, parsed.node);
}

/** Parses user text; the error points at `pointer` and gives the 0-based position. */
export function parseTargetCondition(text: string, pointer = '/target/condition'): Result<TargetCondition> {
  const parsed = parseConditionSyntax(text);
  if (parsed.ok) return ok(new TargetCondition(TOKEN, parsed.node));
  const { position, message } = parsed.error;
  const issue: FieldIssue = { pointer, detail: `at position ${position}: ${message}`, code: 'invalid_condition' };
  return invalid('The target condition', [issue], 'InvalidTargetCondition');
}

/** `a OR b OR ...`, each operand kept whole (the devices of several rollout waves inside one hub). */
export function anyOf(first: TargetCondition, ...rest: TargetCondition[]): TargetCondition {
  const node = rest.reduce<ConditionNode>((left, c) => ({ kind: 'or', left, right: c.node }), first.node);
  return new TargetCondition(TOKEN, node);
}

/** `a AND b AND ...`, each operand kept whole: narrowing can only ever shrink the set of devices. */
export function allOf(first: TargetCondition, ...rest: TargetCondition[]): TargetCondition {
  const node = rest.reduce<ConditionNode>((left, c) => ({ kind: 'and', left, right: c.node }), first.node);
  return new TargetCondition(TOKEN, node);
}
