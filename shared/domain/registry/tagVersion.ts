// A tag as registries name them: an optional `v`, a version of one to three
// numbers (`2`, `1.5`, `1.5.1`), an optional pre-release (`-rc.1`), and a
// variant: the suffix of the platform or flavour the image was built for
// (`-amd64`, `-linux-arm32v7`, `-windows-amd64`, `-alpine`). One push per
// architecture is the normal flow for IoT Edge modules, so an update policy
// compares versions only within one variant.
//
// References: Keel (keel-hq/keel internal/policy/semver.go) reads tags with
// Masterminds' lenient semver, so `1.5` and `v1.5` are versions there; Flux
// (fluxcd/pkg version/version.go, image-reflector-controller internal/policy)
// accepts a leading `v` and leaves suffixes to a `filterTags` pattern with
// `extract`. Neither can tell `1.2.4-arm32v7` from a pre-release; here a
// suffix is a pre-release only when it is written like one (below), and
// anything else after the version is the variant, which must match exactly.
// Reading an unknown suffix as a variant is the safe mistake: the module stays
// where it is, where reading it as a pre-release would move it to another build.
import semver from 'semver';

export interface TagVersion {
  /** The numbers as written: one to three of them. */
  readonly numbers: readonly number[];
  /** Pre-release identifiers (`rc.1` -> ['rc', '1']); empty for a release. */
  readonly prerelease: readonly string[];
  /** What follows the version and its pre-release (`linux-arm32v7`); '' for none. */
  readonly variant: string;
  /** The version as semver compares it: missing numbers are 0 (`1.5` -> `1.5.0`). */
  readonly semver: string;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-(.+))?$/;
/**
 * A suffix segment that is a pre-release: the words semver tools and image
 * builders use (`rc.1`, `beta2`, `preview`), or plain numbers (`-1`, a date),
 * which semver reads as pre-releases too.
 */
const PRERELEASE = /^(?:(?:alpha|beta|rc|pre|preview|dev|snapshot|nightly|canary)(?:\.?\d+)*|\d+(?:\.\d+)*)$/i;

const withoutLeadingZeros = (identifier: string) => (/^\d+$/.test(identifier) ? identifier.replace(/^0+(?=\d)/, '') : identifier);

/** The tag as a version and variant; undefined when it is no version at all (`latest`, `stable`, a commit hash). */
export function parseTag(tag: string | undefined): TagVersion | undefined {
  const m = tag ? VERSION.exec(tag) : null;
  if (!m) return undefined;
  const numbers = [m[1], m[2], m[3]].filter((n): n is string => n !== undefined).map(Number);
  const segments = m[4] === undefined ? [] : m[4].split('-');
  if (segments.some((s) => !s)) return undefined;
  let split = 0;
  while (split < segments.length && PRERELEASE.test(segments[split]!)) split++;
  const prerelease = segments.slice(0, split).flatMap((s) => s.split('.')).map(withoutLeadingZeros);
  const padded = [...numbers, 0, 0].slice(0, 3).join('.');
  const text = semver.valid(prerelease.length ? `${padded}-${prerelease.join('.')}` : padded);
  if (!text) return undefined; // numbers longer than semver takes (a build id)
  return { numbers, prerelease, variant: segments.slice(split).join('-'), semver: text };
}

/** How a variant reads in a reason: `'arm32v7'`, or that the tag has none. */
export const describeVariant = (variant: string) => (variant ? `variant '${variant}'` : 'no variant (no suffix)');
