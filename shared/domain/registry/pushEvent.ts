// What every registry webhook becomes: the pushes it announces (repository,
// tag, digest) under the delivery id that makes a redelivery recognisable, or
// the reason it is not a push at all (a ping, a delete, a chart).
import { createHash } from 'node:crypto';
import { invalid, ok, type Result } from '../deployments/result';
import { type ImageName, isImageNameError, normalizeImage } from './imageName';

export const PROVIDERS = ['acr', 'dockerhub', 'ghcr', 'harbor', 'cloudevents', 'generic'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const isProvider = (name: string): name is Provider => (PROVIDERS as readonly string[]).includes(name);

export interface PushEvent {
  /** The normalised repository without tag or digest: `myacr.azurecr.io/edge/sensor`, `docker.io/library/nginx`. */
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
  /** The registry's id of the event (or a hash of what identifies the push when it sends none). */
  readonly deliveryId: string;
}

export type Delivery =
  | { readonly kind: 'push'; readonly deliveryId: string; readonly pushes: readonly PushEvent[] }
  | { readonly kind: 'ignored'; readonly reason: string };

/** A webhook request as the parsers see it: header names lower-case, the body already parsed as JSON. */
export interface WebhookInput {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export const ignored = (reason: string): Result<Delivery> => ok({ kind: 'ignored', reason });

/** Stands in for a delivery id when a registry sends none: the same push always hashes the same. */
export const derivedDeliveryId = (provider: Provider, ...parts: readonly (string | number | undefined)[]): string =>
  `${provider}-${createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\0')).digest('hex').slice(0, 40)}`;

/**
 * A push from the parts a registry reports, validated as an image reference
 * (`pointer` names the payload field for the 400 when it is not one).
 */
export function pushEvent(image: string, tag: string, digest: string | undefined, deliveryId: string, pointer: string): Result<PushEvent> {
  const name = normalizeImage(`${image}:${tag}${digest ? `@${digest}` : ''}`);
  if (isImageNameError(name)) return invalid('The webhook payload', [{ pointer, detail: `the pushed image ${name.error}`, code: 'invalid_image' }]);
  return ok({ repository: `${name.registry}/${name.repository}`, tag, ...(name.digest ? { digest: name.digest } : {}), deliveryId });
}

/** The pushes of one delivery, or the first invalid one; none at all is not a push. */
export function delivery(deliveryId: string, pushes: readonly Result<PushEvent>[], whenNone = 'no tagged image in the push'): Result<Delivery> {
  const valid: PushEvent[] = [];
  for (const p of pushes) {
    if (!p.ok) return p;
    valid.push(p.value);
  }
  return valid.length ? ok({ kind: 'push', deliveryId, pushes: valid }) : ignored(whenNone);
}

/** A tag worth following: registries report digest-only pushes with an empty tag or the digest in its place. */
export const realTag = (tag: string | null | undefined): tag is string => !!tag && !tag.includes(':');

/** The pushed image as the update policies compare it. */
export function pushedImage(push: PushEvent): ImageName {
  const slash = push.repository.indexOf('/');
  return {
    registry: push.repository.slice(0, slash),
    repository: push.repository.slice(slash + 1),
    tag: push.tag,
    ...(push.digest ? { digest: push.digest } : {}),
  };
}
