import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCondition, parseCondition, parseQuery, QuerySyntaxError, runQuery, targetConditionProblem } from '../../../local/iothub/query';

const twin = {
  deviceId: 'dev-1',
  capabilities: { iotEdge: true },
  tags: { env: 'prod', ring: 'canary', floor: 3, owner: "o'brien", active: true },
  properties: { desired: { $version: 4 }, reported: { lastDesiredVersion: 4, lastDesiredStatus: { code: 200 } } },
  configurations: { 'web-r1': { status: 'Applied' } },
};
const matches = (condition: string) => evaluateCondition(parseCondition(condition), twin);

describe('IoT Hub query conditions', () => {
  it('compares strings, numbers and booleans with every operator', () => {
    assert.equal(matches("tags.env = 'prod'"), true);
    assert.equal(matches("tags.env != 'prod'"), false);
    assert.equal(matches("tags.env <> 'staging'"), true);
    assert.equal(matches('tags.floor < 4'), true);
    assert.equal(matches('tags.floor > 3'), false);
    assert.equal(matches('tags.floor <= 3'), true);
    assert.equal(matches('tags.floor >= 4'), false);
    assert.equal(matches('tags.active = true'), true);
    assert.equal(matches('capabilities.iotEdge = false'), false);
  });
  it('never matches an undefined property or values of different types', () => {
    assert.equal(matches("tags.missing = 'x'"), false);
    assert.equal(matches("tags.missing != 'x'"), false);
    assert.equal(matches("tags.floor = '3'"), false);
    assert.equal(matches("tags.floor < 'z'"), false);
  });
  it('combines with AND, OR, NOT and parentheses, AND binding tighter', () => {
    assert.equal(matches("tags.env = 'x' AND tags.ring = 'canary' OR tags.floor = 3"), true);
    assert.equal(matches("tags.env = 'x' AND (tags.ring = 'canary' OR tags.floor = 3)"), false);
    assert.equal(matches("NOT tags.env = 'staging'"), true);
    assert.equal(matches("NOT (tags.env = 'prod' and tags.floor = 3)"), false);
  });
  it('supports IN, NOT IN, IS_DEFINED and doubled-quote escapes', () => {
    assert.equal(matches("tags.ring IN ['early', 'canary']"), true);
    assert.equal(matches("tags.ring NOT IN ['early', 'canary']"), false);
    assert.equal(matches('IS_DEFINED(tags.floor)'), true);
    assert.equal(matches('NOT IS_DEFINED(tags.nothing)'), true);
    assert.equal(matches("tags.owner = 'o''brien'"), true);
  });
  it('reads configuration statuses by [[id]] and compares two properties', () => {
    assert.equal(matches("configurations.[[web-r1]].status = 'Applied'"), true);
    assert.equal(matches('properties.desired.$version = properties.reported.lastDesiredVersion'), true);
    assert.equal(matches('properties.reported.lastDesiredStatus.code != 200'), false);
  });
  it('treats * as every device', () => {
    assert.equal(matches('*'), true);
  });
  it('rejects malformed conditions with the position of the problem', () => {
    for (const bad of ["tags.env = 'prod", 'tags.env =', "tags.env 'prod'", "(tags.env = 'a'", "tags.x IN ['a'", 'tags.a = 1 AND', 'IS_DEFINED()']) {
      assert.throws(() => parseCondition(bad), QuerySyntaxError, bad);
    }
    assert.match(targetConditionProblem("tags.env = 'prod") ?? '', /Unterminated string/);
    assert.equal(targetConditionProblem("tags.env = 'prod'"), undefined);
  });
});

describe('IoT Hub queries', () => {
  const docs = [
    { deviceId: 'a', tags: { env: 'prod' } },
    { deviceId: 'b', tags: { env: 'dev' } },
    { deviceId: 'c', tags: { env: 'prod' } },
  ];
  it('selects whole documents, projections with aliases, and counts', () => {
    assert.deepEqual(runQuery(parseQuery("SELECT * FROM devices WHERE tags.env = 'prod'"), docs).map((d) => d.deviceId), ['a', 'c']);
    assert.deepEqual(runQuery(parseQuery('select deviceId, tags.env AS e from devices'), docs)[1], { deviceId: 'b', e: 'dev' });
    assert.deepEqual(runQuery(parseQuery("SELECT COUNT() AS n FROM devices WHERE tags.env = 'prod'"), docs), [{ n: 2 }]);
  });
  it('knows devices and devices.modules only, and rejects trailing text', () => {
    assert.equal(parseQuery("SELECT * FROM devices.modules WHERE moduleId = '$edgeAgent'").from, 'devices.modules');
    assert.throws(() => parseQuery('SELECT * FROM jobs'), QuerySyntaxError);
    assert.throws(() => parseQuery('SELECT * FROM devices garbage'), QuerySyntaxError);
    assert.throws(() => parseQuery('SELECT FROM devices'), QuerySyntaxError);
  });
});
