import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeploymentFigures, type DeploymentRecord, renderDeployment, revisionOfResourceVersion } from '../../../shared/domain/kubernetes/deploymentObject';
import { renderReplicaSet } from '../../../shared/domain/kubernetes/replicaSetObject';

const record: DeploymentRecord = {
  id: 'web',
  revision: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  labels: { app: 'web' },
  managedFields: [],
  workload: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } },
  paused: false,
};
const figures = (ready: number, at = '2026-01-03T00:00:00Z'): DeploymentFigures => ({
  replicas: 4,
  updatedReplicas: 4,
  readyReplicas: ready,
  observed: true,
  conditions: [{ type: 'Available', status: ready > 0 ? 'True' : 'False', reason: 'MinimumReplicasAvailable', message: `${ready} of 4`, lastTransitionTime: at }],
});
const versionOf = (o: Record<string, unknown>) => (o.metadata as { resourceVersion: string }).resourceVersion;

describe('resourceVersion of the Kubernetes objects', () => {
  it('changes when the status changes under the same revision, as every write does in Kubernetes', () => {
    const before = versionOf(renderDeployment(record, figures(1)));
    const after = versionOf(renderDeployment(record, figures(4)));
    assert.notEqual(before, after);
    assert.equal(revisionOfResourceVersion(before), 3);
    assert.equal(revisionOfResourceVersion(after), 3);
  });
  it('is the same for the same status, whatever time the conditions carry', () => {
    assert.equal(versionOf(renderDeployment(record, figures(2, '2026-01-03T00:00:00Z'))), versionOf(renderDeployment(record, figures(2, '2026-01-04T10:00:00Z'))));
  });
  it('is the revision alone for an object without status (a dry run), and a new revision is a new version', () => {
    assert.equal(versionOf(renderDeployment(record, undefined)), '3');
    assert.equal(revisionOfResourceVersion('3'), 3);
    assert.equal(revisionOfResourceVersion(versionOf(renderDeployment({ ...record, revision: 4 }, figures(1)))), 4);
  });
  it('names no revision when it is not one this server wrote', () => {
    assert.equal(revisionOfResourceVersion('r3'), undefined);
    assert.equal(revisionOfResourceVersion(''), undefined);
    assert.equal(revisionOfResourceVersion('3-xyz'), undefined);
  });
  it("a ReplicaSet's version follows its counted devices", () => {
    const rs = (readyReplicas: number) => renderReplicaSet({ deployment: { id: 'web', createdAt: record.createdAt, selector: { matchLabels: { app: 'web' } } }, number: 3, createdAt: record.updatedAt, template: { metadata: { labels: { app: 'web' } } }, current: true, figures: { replicas: 4, readyReplicas } });
    assert.notEqual(versionOf(rs(1)), versionOf(rs(4)));
    assert.equal(revisionOfResourceVersion(versionOf(rs(4))), 3);
  });
});
