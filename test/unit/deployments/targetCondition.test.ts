import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectorToCondition } from '../../../shared/domain/deployments/selector';
import {
  allOf,
  ConditionPath,
  parseTargetCondition,
  type TargetCondition,
  targetCondition,
} from '../../../shared/domain/deployments/targetCondition';

function parsed(text: string): TargetCondition {
  const r = parseTargetCondition(text);
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

function rejection(text: string): string {
  const r = parseTargetCondition(text);
  if (r.ok) assert.fail(`accepted ${text}`);
  assert.equal(r.error.status, 400);
  assert.equal(r.error.issues[0]?.pointer, '/target/condition');
  return r.error.issues[0]?.detail ?? '';
}

describe('device selector to target condition', () => {
  it('turns values into equality and lists into IN, keys sorted', () => {
    assert.equal(selectorToCondition({ site: ['a', 'b'], env: 'prod' }).text, "tags.env='prod' AND tags.site IN ['a','b']");
  });
  it("escapes quotes in values by doubling them, so a value cannot end the string", () => {
    const c = selectorToCondition({ owner: "o'brien' OR deviceId<>'" });
    assert.equal(c.text, "tags.owner='o''brien'' OR deviceId<>'''");
    assert.equal(c.node.kind, 'compare');
  });
  it('keeps numbers and booleans unquoted and follows dotted paths into tags', () => {
    assert.equal(selectorToCondition({ 'location.floor': 3, gpu: true }).text, 'tags.gpu=true AND tags.location.floor=3');
  });
});

describe('targetCondition tagged template', () => {
  it('quotes every interpolated value and parenthesises nested conditions', () => {
    const base = parsed("tags.env='prod' OR tags.env='staging'");
    const c = targetCondition`${base} AND ${ConditionPath.tag('ring')}=${"can'ary"}`;
    assert.equal(c.text, "(tags.env='prod' OR tags.env='staging') AND tags.ring='can''ary'");
  });
  it('treats a broken template or a non-finite number as a programming error', () => {
    assert.throws(() => targetCondition`${ConditionPath.tag('a')} = = ${1}`, TypeError);
    assert.throws(() => targetCondition`${ConditionPath.tag('a')}=${Number.NaN}`, TypeError);
    assert.throws(() => targetCondition`${ConditionPath.tag('a')} IN ${[]}`, TypeError);
  });
  it('refuses tag names that are not identifiers instead of splicing them', () => {
    assert.throws(() => ConditionPath.tag("env='x' OR 1"), /not a tag name/);
  });
});

describe('raw target conditions', () => {
  it('accepts the documented subset and renders one canonical spelling', () => {
    assert.equal(
      parsed("tags.env = 'prod' and not (tags.site in ['a', 'b''c'] or deviceId <> 'd1') AND IS_DEFINED(tags.x.y)").text,
      "tags.env='prod' AND NOT (tags.site IN ['a','b''c'] OR deviceId<>'d1') AND IS_DEFINED(tags.x.y)",
    );
    assert.equal(parsed('capabilities.iotEdge = true AND tags.level >= -2.5').text, 'capabilities.iotEdge=true AND tags.level>=-2.5');
  });
  it('reports the position of an unterminated string', () => {
    assert.match(rejection("tags.env='prod"), /^at position 9: unterminated string/);
  });
  it('reports the position of a missing operator', () => {
    assert.match(rejection("tags.env 'prod'"), /^at position 9: expected a comparison/);
  });
  it('rejects double-quoted strings, unknown roots, dangling AND and empty input', () => {
    assert.match(rejection('tags.env="prod"'), /position 9: double quotes/);
    assert.match(rejection("properties.reported.x='1'"), /position 0: 'properties.reported.x' cannot be targeted/);
    assert.match(rejection("tags.env='prod' AND"), /position 19: expected tags/);
    assert.match(rejection('   '), /position 0: is empty/);
    assert.match(rejection("(tags.a='1'"), /position 11: expected '\)'/);
  });
});

describe('narrowing a condition', () => {
  it('ANDs a wave condition without letting an OR in the base widen it', () => {
    const base = parsed("tags.env='prod' OR tags.env='qa'");
    const wave = selectorToCondition({ ring: 'canary' });
    assert.equal(allOf(base, wave).text, "(tags.env='prod' OR tags.env='qa') AND tags.ring='canary'");
  });
  it('round-trips: the narrowed text parses back to the same text', () => {
    const c = allOf(parsed("NOT tags.a='1' OR deviceId='x'"), parsed("tags.b IN [1,2]"));
    assert.equal(parsed(c.text).text, c.text);
  });
});
