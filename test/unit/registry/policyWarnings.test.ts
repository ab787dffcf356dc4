import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POLICY_CANNOT_MATCH, updatePolicyWarnings } from '../../../shared/domain/registry/policyWarnings';

const at = (module: string) => `/manifest/modules/${module}/updatePolicy`;

describe('update policies that cannot match their own tag', () => {
  it('warns about a semver policy on a tag that is no version, or on no tag at all, and points at the policy', () => {
    const warnings = updatePolicyWarnings([
      { pointer: at('latest'), image: 'contoso.azurecr.io/agent:latest', policy: { type: 'semver', level: 'patch' } },
      { pointer: at('untagged'), image: 'contoso.azurecr.io/agent', policy: { type: 'semver', level: 'minor' } },
      { pointer: at('pinned'), image: `contoso.azurecr.io/agent@sha256:${'a'.repeat(64)}`, policy: { type: 'semver', level: 'minor' } },
    ]);
    assert.deepEqual(warnings.map((w) => [w.code, w.pointer]), [
      [POLICY_CANNOT_MATCH, at('latest')],
      [POLICY_CANNOT_MATCH, at('untagged')],
      [POLICY_CANNOT_MATCH, at('pinned')],
    ]);
    assert.match(warnings[0]!.detail, /'latest' is not a version/);
    assert.match(warnings[1]!.detail, /names no tag/);
  });

  it('says nothing about the tags real images carry', () => {
    const semver = { type: 'semver', level: 'patch' };
    const images = [
      'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.5',
      'mcr.microsoft.com/azureiotedge-agent:1.5.1-linux-amd64',
      'mcr.microsoft.com/azureiotedge-hub:1.4-linux-arm32v7',
      'localhost:5000/filtermodule:0.0.1-arm64v8',
      'contoso.azurecr.io/agent:v2',
      'contoso.azurecr.io/agent:1.2.4-rc.1-windows-amd64',
    ];
    assert.deepEqual(updatePolicyWarnings(images.map((image, i) => ({ pointer: at(`m${i}`), image, policy: semver }))), []);
  });

  it('warns when a glob or regexp does not match the module’s own tag', () => {
    const warnings = updatePolicyWarnings([
      { pointer: at('glob'), image: 'app:v1.2.3', policy: { type: 'glob', pattern: '1.2.*' } },
      { pointer: at('globOk'), image: 'app:release-1', policy: { type: 'glob', pattern: 'release-*' } },
      { pointer: at('regexp'), image: 'app:1.2.3-amd64', policy: { type: 'regexp', pattern: '\\d+\\.\\d+\\.\\d+' } },
      { pointer: at('regexpOk'), image: 'app:1.2.3-amd64', policy: { type: 'regexp', pattern: '\\d+\\.\\d+\\.\\d+-amd64' } },
    ]);
    assert.deepEqual(warnings.map((w) => w.pointer), [at('glob'), at('regexp')]);
    assert.match(warnings[0]!.detail, /'1\.2\.\*' does not match the module's own tag 'v1\.2\.3'/);
  });

  it('never warns about digest or force policies, no policy, or input the intake refuses anyway', () => {
    assert.deepEqual(
      updatePolicyWarnings([
        { pointer: at('a'), image: 'app:latest', policy: { type: 'digest' } },
        { pointer: at('b'), image: 'app:latest', policy: { type: 'force' } },
        { pointer: at('c'), image: 'app:latest', policy: undefined },
        { pointer: at('d'), image: 'app:latest', policy: { type: 'semver', level: 'sideways' } },
        { pointer: at('e'), image: 'UPPER/Case:latest', policy: { type: 'semver', level: 'patch' } },
      ]),
      [],
    );
  });
});
