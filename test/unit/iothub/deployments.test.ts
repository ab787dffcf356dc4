import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationStore } from '../../../local/iothub/configurations';
import { isLayered, requiredModuleId, resolveModules, systemMetricQueries } from '../../../local/iothub/deployments';
import { parseCondition } from '../../../local/iothub/query';

const store = new ConfigurationStore(() => 100);
const base = (id: string, priority: number, image: string) =>
  store.put(id, { content: { modulesContent: { $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', modules: { web: { settings: { image } } } } } } }, targetCondition: '*', priority }, undefined).record;
const layer = (id: string, priority: number, path: string, value: unknown) =>
  store.put(id, { content: { modulesContent: { $edgeAgent: { [`properties.desired.${path}`]: value } } }, targetCondition: '*', priority }, undefined).record;

describe('deployment resolution', () => {
  it('applies the highest-priority base, marks lower ones Targeted, and merges layers by priority', () => {
    const low = base('low', 1, 'web:1');
    const high = base('high', 5, 'web:2');
    const l1 = layer('layer-a', 1, 'modules.side', { settings: { image: 'side:1' } });
    const l2 = layer('layer-b', 2, 'modules.side.settings.image', 'side:2');
    assert.equal(isLayered(l1), true);
    assert.equal(isLayered(high), false);
    const { desired, statuses } = resolveModules([low, l2, high, l1], () => ({}));
    // IoT Hub stamps the deploying configuration's id on each module (IoT Edge docs, EdgeAgent desired properties).
    assert.deepEqual(desired.get('$edgeAgent'), { schemaVersion: '1.1', modules: { web: { settings: { image: 'web:2' }, configuration: { id: 'high' } }, side: { settings: { image: 'side:2' }, configuration: { id: 'layer-a' } } } });
    assert.deepEqual(statuses, { high: { status: 'Applied' }, low: { status: 'Targeted' }, 'layer-a': { status: 'Applied' }, 'layer-b': { status: 'Applied' } });
  });
  it('leaves modules alone when nothing matches', () => {
    assert.equal(resolveModules([], () => ({ keep: true })).desired.size, 0);
  });
});

describe('metric queries', () => {
  it('uses IoT Hub system metric queries that parse, and narrows module scans to $edgeAgent', () => {
    const queries = systemMetricQueries(base('metrics', 1, 'web:1'));
    assert.match(queries.reportedSuccessfulCount!, /lastDesiredStatus\.code = 200/);
    assert.equal(requiredModuleId(parseCondition("moduleId = '$edgeAgent' AND tags.a = 1")), '$edgeAgent');
    assert.equal(requiredModuleId(parseCondition("moduleId = '$edgeAgent' OR tags.a = 1")), undefined);
  });
});
