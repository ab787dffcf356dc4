// Readiness of the configuration itself: a setting that is set but unusable
// (an unresolved Key Vault reference, blank, a placeholder) has turned its
// feature off at start-up; the health check stays failed until it is fixed,
// so a half-configured app is visible, not silently degraded.
import type { UnusableSetting } from '../../config/settings';
import type { DependencyProbe } from './checkDependencies';

export function settingsProbe(unusable: readonly UnusableSetting[]): DependencyProbe {
  return {
    name: 'settings',
    kind: 'settings',
    check() {
      if (unusable.length === 0) return Promise.resolve();
      // Names and reasons only: never a value. Names first: the health detail is cut at 300 characters, and
      // with several settings unusable the reasons (each ~100 characters) used to push the later names out of it.
      const names = unusable.map((u) => u.name).join(', ');
      return Promise.reject(new Error(`disabled by an unusable value: ${names} (${unusable.map((u) => `${u.name} ${u.reason}`).join('; ')})`));
    },
  };
}
