// Which regional hubs a deployment goes to. Criteria combine with AND, a list
// means any of; no criteria means every hub in the settings.
import { z } from 'zod';
import type { HubSetting } from '../../config/settings';

export const hubSelectorSchema = z
  .strictObject({
    names: z.array(z.string().min(1).max(50)).min(1).optional().meta({ description: 'Hub names (any of)', example: ['weu', 'eus'] }),
    regions: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Azure regions (any of)', example: ['westeurope'] }),
    labels: z
      .record(z.string().min(1).max(128), z.string().max(128))
      .optional()
      .meta({ description: 'Hub labels that must all match', example: { geo: 'eu' } }),
  })
  .meta({ description: 'Which hubs receive the deployment; criteria combine with AND; empty means all hubs', example: { regions: ['westeurope'] } });
export type HubSelector = z.infer<typeof hubSelectorSchema>;

/** The hubs that match, in settings order (fan-out order follows the settings). */
/** Only name, region and labels matter, so the reconciler can pass its running hubs too. */
export type SelectableHub = Pick<HubSetting, 'name' | 'region' | 'labels'>;

export function selectHubs<H extends SelectableHub>(selector: HubSelector, hubs: readonly H[]): H[] {
  return hubs.filter(
    (hub) =>
      (!selector.names || selector.names.includes(hub.name)) &&
      (!selector.regions || selector.regions.includes(hub.region)) &&
      Object.entries(selector.labels ?? {}).every(([k, v]) => hub.labels[k] === v),
  );
}

/** Names asked for that no hub has: the HTTP layer answers those with a 400 instead of silently skipping them. */
export function unknownHubNames(selector: HubSelector, hubs: readonly SelectableHub[]): string[] {
  const known = new Set(hubs.map((h) => h.name));
  return (selector.names ?? []).filter((n) => !known.has(n));
}
