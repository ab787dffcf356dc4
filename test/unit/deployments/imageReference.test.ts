import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference } from '../../../shared/domain/deployments/imageReference';

const digest = 'sha256:' + 'a'.repeat(64);

describe('image references', () => {
  it('splits registry host and port, path, tag and digest', () => {
    assert.deepEqual(parseImageReference(`myacr.azurecr.io:5000/team/app:1.2.3@${digest}`), {
      registry: 'myacr.azurecr.io:5000',
      repository: 'team/app',
      tag: '1.2.3',
      digest,
    });
    assert.deepEqual(parseImageReference('localhost:5000/app'), { registry: 'localhost:5000', repository: 'app' });
  });
  it("reads a nested-edge parent's registry proxy ($upstream[:port]) as the registry", () => {
    assert.deepEqual(parseImageReference('$upstream:443/azureiotedge-agent:1.5'), { registry: '$upstream:443', repository: 'azureiotedge-agent', tag: '1.5' });
    assert.deepEqual(parseImageReference('$upstream/team/app'), { registry: '$upstream', repository: 'team/app' });
    assert.ok('error' in parseImageReference('$other:443/app'));
  });
  it('reads Docker Hub short names without a registry', () => {
    assert.deepEqual(parseImageReference('nginx'), { repository: 'nginx' });
    assert.deepEqual(parseImageReference('library/nginx:1.27-alpine'), { repository: 'library/nginx', tag: '1.27-alpine' });
  });
  it('rejects what a pull would reject, saying why', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['Nginx', /repository path/],
      ['nginx:', /invalid tag/],
      ['nginx:-x', /invalid tag/],
      ['nginx@sha256:xyz', /invalid digest/],
      ['my host/app', /white space/],
      ['registry.io:99999/app', /port/],
      ['app//x', /repository path/],
    ];
    for (const [ref, why] of bad) {
      const r = parseImageReference(ref);
      assert.ok('error' in r, `accepted ${ref}`);
      assert.match(r.error, why, ref);
    }
  });
});
