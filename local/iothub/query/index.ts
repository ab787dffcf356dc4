// The IoT Hub query language subset, pure (no I/O): used by the simulator's
// query endpoint and target-condition evaluation, and usable by domain code to
// validate a target condition before sending it to a hub.
export { type Condition, type Query, QuerySyntaxError } from './ast';
export { evaluateCondition, resolvePath, runQuery, type Doc } from './evaluate';
export { parseCondition, parseQuery } from './parser';

import { QuerySyntaxError } from './ast';
import { parseCondition } from './parser';

/** Undefined when `text` is a valid target condition, otherwise what is wrong with it. */
export function targetConditionProblem(text: string): string | undefined {
  try {
    parseCondition(text);
    return undefined;
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error.message;
    throw error;
  }
}
