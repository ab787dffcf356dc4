// Tags as registries name them (issue: a push for another CPU architecture must
// not move a module across architectures). Tag shapes from real images:
// mcr.microsoft.com/azureiotedge-* (`1.5`, `1.5.1`, `1.4-linux-arm32v7`), the
// iotedgedev module template (`0.0.1-amd64`, `-arm32v7`, `-arm64v8`, `-windows-amd64`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ImageName, isImageNameError, normalizeImage } from '../../../shared/domain/registry/imageName';
import { parseTag } from '../../../shared/domain/registry/tagVersion';
import { decideUpdate } from '../../../shared/domain/registry/updatePolicy';
import type { UpdatePolicy } from '../../../shared/domain/registry/updatePolicySchema';

const image = (ref: string): ImageName => {
  const n = normalizeImage(ref);
  if (isImageNameError(n)) throw new Error(n.error);
  return n;
};
const patch: UpdatePolicy = { type: 'semver', level: 'patch', allowPrerelease: false };
const patchWithPre: UpdatePolicy = { type: 'semver', level: 'patch', allowPrerelease: true };
const decide = (policy: UpdatePolicy, from: string, to: string) => decideUpdate(policy, `contoso.azurecr.io/agent:${from}`, image(`contoso.azurecr.io/agent:${to}`));

describe('a tag is a version plus a variant', () => {
  const table: [string, number[], string[], string][] = [
    ['1.5', [1, 5], [], ''],
    ['1.5.1', [1, 5, 1], [], ''],
    ['2', [2], [], ''],
    ['v1.2.3', [1, 2, 3], [], ''],
    ['1.2.3-amd64', [1, 2, 3], [], 'amd64'],
    ['1.5.1-linux-amd64', [1, 5, 1], [], 'linux-amd64'],
    ['1.4-linux-arm32v7', [1, 4], [], 'linux-arm32v7'],
    ['0.0.1-windows-amd64', [0, 0, 1], [], 'windows-amd64'],
    ['1.2.4-rc.1', [1, 2, 4], ['rc', '1'], ''],
    ['1.2.4-rc.1-amd64', [1, 2, 4], ['rc', '1'], 'amd64'],
    ['1.2.4-beta2-arm64v8', [1, 2, 4], ['beta2'], 'arm64v8'],
    ['3.1-alpine', [3, 1], [], 'alpine'],
  ];
  for (const [tag, numbers, prerelease, variant] of table) {
    it(`reads ${tag} as ${numbers.join('.')}${prerelease.length ? ` pre-release ${prerelease.join('.')}` : ''}${variant ? ` variant ${variant}` : ''}`, () => {
      const parsed = parseTag(tag);
      assert.ok(parsed, tag);
      assert.deepEqual([parsed.numbers, parsed.prerelease, parsed.variant], [numbers, prerelease, variant]);
    });
  }

  it('reads names, hashes and malformed suffixes as no version at all', () => {
    for (const tag of ['latest', 'stable', 'main-4e2a1b9', '1.2.3.4', '1.2.3--amd64', '1.2.3-', 'V1.2', '12345678901234567890']) assert.equal(parseTag(tag), undefined, tag);
  });
});

describe('semver policies compare versions within one variant', () => {
  it('1.2.3-amd64 -> 1.2.4-amd64 moves', () => {
    const d = decide(patch, '1.2.3-amd64', '1.2.4-amd64');
    assert.equal(d.update, true, d.reason);
    assert.equal(d.update && d.newReference, 'contoso.azurecr.io/agent:1.2.4-amd64', 'the suffix is kept: the pushed tag is taken as it is');
  });

  it('1.2.3-amd64 -> 1.2.4-arm32v7 does not move, and the reason names both variants', () => {
    const d = decide(patch, '1.2.3-amd64', '1.2.4-arm32v7');
    assert.equal(d.update, false);
    assert.equal(d.reason, "1.2.4-arm32v7 is variant 'arm32v7', the module runs variant 'amd64'");
  });

  it('a multi-arch tag (no suffix) and a suffixed tag are different variants, both ways', () => {
    assert.match(decide(patch, '1.2.3-amd64', '1.2.4').reason, /no variant \(no suffix\), the module runs variant 'amd64'/);
    assert.match(decide(patch, '1.2.3', '1.2.4-amd64').reason, /variant 'amd64', the module runs no variant/);
    assert.equal(decide(patch, '1.2.3-linux-amd64', '1.2.4-amd64').update, false, 'variants match exactly');
    assert.equal(decide(patch, '1.5.1-linux-arm32v7', '1.5.2-linux-arm32v7').update, true);
  });

  it('1.5 -> 1.5.1 moves (two-part tags, as on mcr.microsoft.com/azureiotedge-*)', () => {
    const d = decide(patch, '1.5', '1.5.1');
    assert.equal(d.update, true, d.reason);
    assert.equal(d.reason, 'semver patch: 1.5 -> 1.5.1');
    assert.equal(decide(patch, '1.5', '1.5.0').reason, 'same version', '1.5 is 1.5.0');
    assert.equal(decide(patch, '1.5', '1.6').update, false, 'a minor step under a patch policy');
    assert.equal(decide({ type: 'semver', level: 'minor', allowPrerelease: false }, '1.4-linux-arm32v7', '1.5-linux-arm32v7').update, true);
    assert.match(decide(patch, '1.5.1', '1.5').reason, /downgrade/, 'the floating 1.5 re-pushed beside 1.5.1 is not newer');
  });

  it('one-part tags: 2 -> 3 under major, and a bare number is not taken from a dotted version', () => {
    const major: UpdatePolicy = { type: 'semver', level: 'major', allowPrerelease: false };
    assert.equal(decide(major, '2', '3').update, true);
    assert.equal(decide(major, '2', '2.1.0').update, true);
    assert.match(decide(major, '1.2.3', '20240115').reason, /single number/);
  });

  it('v prefixes compare as the version', () => {
    assert.equal(decide(patch, 'v1.2.3', '1.2.4').update, true);
    assert.equal(decide(patch, '1.2.3-amd64', 'v1.2.4-amd64').update, true);
  });

  it('1.2.3 -> 1.2.4-rc.1 moves only with allowPrerelease', () => {
    const refused = decide(patch, '1.2.3', '1.2.4-rc.1');
    assert.equal(refused.update, false);
    assert.match(refused.reason, /pre-release/);
    assert.equal(decide(patchWithPre, '1.2.3', '1.2.4-rc.1').update, true);
  });

  it('1.2.3-amd64 -> 1.2.4-rc.1-amd64 likewise, and never to another variant’s pre-release', () => {
    const refused = decide(patch, '1.2.3-amd64', '1.2.4-rc.1-amd64');
    assert.equal(refused.update, false);
    assert.match(refused.reason, /pre-release/);
    const taken = decide(patchWithPre, '1.2.3-amd64', '1.2.4-rc.1-amd64');
    assert.equal(taken.update, true, taken.reason);
    assert.equal(taken.update && taken.newReference, 'contoso.azurecr.io/agent:1.2.4-rc.1-amd64');
    assert.match(decide(patchWithPre, '1.2.3-amd64', '1.2.4-rc.1-arm32v7').reason, /variant 'arm32v7'/);
    assert.equal(decide(patch, '1.2.4-rc.1-amd64', '1.2.4-amd64').update, true, 'from a pre-release to its release');
    assert.equal(decide(patch, '1.2.4-rc.1-amd64', '1.2.4-rc.2-amd64').update, true, 'a pre-release follows later pre-releases');
  });

  it('an unknown suffix is a variant, so it never moves a release to it (the safe reading)', () => {
    assert.match(decide(patchWithPre, '1.2.3', '1.2.4-experimental').reason, /variant 'experimental'/);
  });
});

describe('force policies stay within the variant of a versioned tag', () => {
  it('takes any newer tag of the same variant, not another architecture', () => {
    const force: UpdatePolicy = { type: 'force' };
    assert.equal(decide(force, '1.2.3-amd64', '1.2.2-amd64').update, true, 'force takes any other tag, older too');
    assert.match(decide(force, '1.2.3-amd64', '1.2.4-arm32v7').reason, /variant 'arm32v7'/);
    assert.equal(decide(force, 'main-abc', 'main-def').update, true, 'tags that are not versions have no variant to keep');
  });
});
