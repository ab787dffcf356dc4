// Every supported registry: how its payload becomes pushes, and how it proves
// who it is (HMAC over the raw body where the registry signs; otherwise a
// shared token in a header or, for Docker Hub, the URL).
import type { Result } from '../../deployments/result';
import type { Delivery, Provider, WebhookInput } from '../pushEvent';
import type { ProviderAuth } from '../webhookAuth';
import { parseAcr } from './acr';
import { parseCloudEvents } from './cloudEvents';
import { parseDockerHub } from './dockerHub';
import { parseGeneric } from './generic';
import { parseGhcr } from './ghcr';
import { parseHarbor } from './harbor';

export interface ProviderDefinition {
  readonly parse: (input: WebhookInput) => Result<Delivery>;
  readonly auth: ProviderAuth;
  /** The app setting holding the secret; the provider is disabled while it is unset. */
  readonly secretSetting: 'WEBHOOK_ACR_TOKEN' | 'WEBHOOK_DOCKERHUB_TOKEN' | 'WEBHOOK_GHCR_SECRET' | 'WEBHOOK_HARBOR_SECRET' | 'WEBHOOK_CLOUDEVENTS_TOKEN' | 'WEBHOOK_GENERIC_SECRET';
}

export const providers: Readonly<Record<Provider, ProviderDefinition>> = {
  acr: { parse: parseAcr, auth: { kind: 'bearer' }, secretSetting: 'WEBHOOK_ACR_TOKEN' },
  dockerhub: { parse: parseDockerHub, auth: { kind: 'query', parameter: 'token' }, secretSetting: 'WEBHOOK_DOCKERHUB_TOKEN' },
  ghcr: { parse: parseGhcr, auth: { kind: 'hmac', header: 'x-hub-signature-256' }, secretSetting: 'WEBHOOK_GHCR_SECRET' },
  harbor: { parse: parseHarbor, auth: { kind: 'bearer' }, secretSetting: 'WEBHOOK_HARBOR_SECRET' },
  cloudevents: { parse: parseCloudEvents, auth: { kind: 'bearer' }, secretSetting: 'WEBHOOK_CLOUDEVENTS_TOKEN' },
  generic: { parse: parseGeneric, auth: { kind: 'hmac', header: 'x-signature-256' }, secretSetting: 'WEBHOOK_GENERIC_SECRET' },
};
