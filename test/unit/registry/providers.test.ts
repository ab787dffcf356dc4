import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from '../../../shared/domain/deployments/result';
import { providers } from '../../../shared/domain/registry/providers';
import type { Delivery, Provider, PushEvent } from '../../../shared/domain/registry/pushEvent';
import { registryFixture } from './fixtures';

const DIGEST = 'sha256:4b1d1a6c7e9e3f0b8f7a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5';

const parse = (provider: Provider, body: unknown, headers: Record<string, string> = {}): Result<Delivery> => providers[provider].parse({ body, headers });

function pushes(result: Result<Delivery>): { deliveryId: string; pushes: readonly PushEvent[] } {
  if (!result.ok) assert.fail(result.error.message);
  if (result.value.kind !== 'push') assert.fail(`ignored: ${result.value.reason}`);
  return result.value;
}
function ignoredReason(result: Result<Delivery>): string {
  if (!result.ok) assert.fail(result.error.message);
  if (result.value.kind !== 'ignored') assert.fail('expected the delivery to be ignored');
  return result.value.reason;
}
function problemPointers(result: Result<Delivery>): string[] {
  if (result.ok) assert.fail('expected a 400');
  assert.equal(result.error.status, 400);
  return result.error.issues.map((i) => i.pointer);
}

describe('ACR webhook', () => {
  it('reads a push: registry host from the request, repository, tag and digest, the event id as delivery id', () => {
    const d = pushes(parse('acr', registryFixture('acr/push.json')));
    assert.equal(d.deliveryId, 'cb8c3971-9adc-488b-bdd8-43cbb4974ff5');
    assert.deepEqual(d.pushes, [{ repository: 'fleetacr.azurecr.io/edge/sensor', tag: '1.4.3', digest: DIGEST, deliveryId: d.deliveryId }]);
  });
  it('ignores pings and deletes with the reason', () => {
    assert.match(ignoredReason(parse('acr', registryFixture('acr/ping.json'))), /'ping' is not an image push/);
    assert.match(ignoredReason(parse('acr', registryFixture('acr/delete.json'))), /'delete'/);
  });
  it('refuses a push without a repository, pointing at the field', () => {
    const body = registryFixture('acr/push.json') as { target: Record<string, unknown> };
    delete body.target.repository;
    assert.deepEqual(problemPointers(parse('acr', body)), ['/target/repository']);
    assert.deepEqual(problemPointers(parse('acr', { action: 'push' })), ['/id']);
  });
  it('refuses a pushed image that is not a valid reference', () => {
    const body = registryFixture('acr/push.json') as { target: Record<string, unknown> };
    body.target.repository = 'Edge/Sensor';
    assert.deepEqual(problemPointers(parse('acr', body)), ['/target']);
  });
});

describe('Docker Hub webhook', () => {
  it('reads repo_name and tag as a docker.io push; the push time makes a stable delivery id', () => {
    const d = pushes(parse('dockerhub', registryFixture('dockerhub/push.json')));
    assert.deepEqual(d.pushes.map((p) => [p.repository, p.tag, p.digest]), [['docker.io/fleetco/edge-sensor', '1.4.3', undefined]]);
    assert.match(d.deliveryId, /^dockerhub-[0-9a-f]{40}$/);
    assert.equal(pushes(parse('dockerhub', registryFixture('dockerhub/push.json'))).deliveryId, d.deliveryId);
    const later = registryFixture('dockerhub/push.json') as { push_data: { pushed_at: number } };
    later.push_data.pushed_at += 60;
    assert.notEqual(pushes(parse('dockerhub', later)).deliveryId, d.deliveryId, 'the same tag pushed again later is a new push');
  });
  it('takes official images as library/ repositories', () => {
    const d = pushes(parse('dockerhub', { push_data: { tag: '1.27' }, repository: { repo_name: 'library/nginx' } }));
    assert.equal(d.pushes[0]?.repository, 'docker.io/library/nginx');
  });
  it('refuses a payload without a repository', () => {
    assert.deepEqual(problemPointers(parse('dockerhub', { push_data: { tag: '1' } })), ['/repository']);
  });
});

describe('GHCR (GitHub package) webhook', () => {
  const headers = (event: string) => ({ 'x-github-event': event, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
  it('reads a published container version: lower-cased ghcr.io path, tag, digest, the delivery header as id', () => {
    const d = pushes(parse('ghcr', registryFixture('ghcr/package-published.json'), headers('package')));
    assert.equal(d.deliveryId, '72d3162e-cc78-11e3-81ab-4c9367dc0958');
    assert.deepEqual(d.pushes.map((p) => [p.repository, p.tag, p.digest]), [['ghcr.io/fleetco/edge-sensor', '1.4.3', DIGEST]]);
  });
  it('reads the registry_package event the same way, and ignores untagged versions (multi-arch parts)', () => {
    const body = registryFixture('ghcr/package-published.json') as { package: unknown };
    const d = pushes(parse('ghcr', { action: 'published', registry_package: body.package }, headers('registry_package')));
    assert.equal(d.pushes[0]?.repository, 'ghcr.io/fleetco/edge-sensor');
    assert.equal(ignoredReason(parse('ghcr', registryFixture('ghcr/registry-package-untagged.json'), headers('registry_package'))), 'no tagged image in the push');
  });
  it('ignores pings, other events, other actions and non-container packages', () => {
    assert.equal(ignoredReason(parse('ghcr', registryFixture('ghcr/ping.json'), headers('ping'))), 'ping');
    assert.match(ignoredReason(parse('ghcr', {}, headers('push'))), /'push' is not a package event/);
    const body = registryFixture('ghcr/package-published.json') as { action: string; package: { package_type: string; ecosystem: string } };
    assert.match(ignoredReason(parse('ghcr', { ...body, action: 'updated' }, headers('package'))), /'updated'/);
    body.package.package_type = 'npm';
    body.package.ecosystem = 'npm';
    assert.match(ignoredReason(parse('ghcr', body, headers('package'))), /'npm' is not a container image/);
  });
  it('needs the X-GitHub-Event header', () => {
    assert.deepEqual(problemPointers(parse('ghcr', registryFixture('ghcr/package-published.json'))), ['']);
  });
});

describe('Harbor webhook', () => {
  it('reads PUSH_ARTIFACT resources with the host (and port) from resource_url; digest-only resources are dropped', () => {
    const d = pushes(parse('harbor', registryFixture('harbor/push-artifact.json')));
    assert.deepEqual(d.pushes.map((p) => [p.repository, p.tag, p.digest]), [['harbor.fleet.example:8443/edge/sensor', '1.4.3', DIGEST]]);
    assert.match(d.deliveryId, /^harbor-[0-9a-f]{40}$/);
  });
  it('accepts a resource_url with a scheme', () => {
    const body = registryFixture('harbor/push-artifact.json') as { event_data: { resources: { resource_url: string }[] } };
    body.event_data.resources[0]!.resource_url = 'https://harbor.fleet.example:8443/edge/sensor:1.4.3';
    assert.equal(pushes(parse('harbor', body)).pushes[0]?.repository, 'harbor.fleet.example:8443/edge/sensor');
  });
  it('ignores other event types', () => {
    assert.match(ignoredReason(parse('harbor', registryFixture('harbor/delete-artifact.json'))), /'DELETE_ARTIFACT' is not an artifact push/);
  });
  it('refuses a push without resources', () => {
    assert.deepEqual(problemPointers(parse('harbor', { type: 'PUSH_ARTIFACT', event_data: { repository: { repo_full_name: 'a/b' } } })), ['/event_data/resources']);
  });
});

describe('CloudEvents (Event Grid ImagePushed)', () => {
  it('reads a structured-mode event: the CloudEvent id is the delivery id', () => {
    const d = pushes(parse('cloudevents', registryFixture('cloudevents/image-pushed.json'), { 'content-type': 'application/cloudevents+json' }));
    assert.equal(d.deliveryId, '831e1650-001e-001b-66ab-eeb76e069631');
    assert.deepEqual(d.pushes.map((p) => [p.repository, p.tag, p.digest]), [['fleetacr.azurecr.io/edge/sensor', '1.4.3', DIGEST]]);
  });
  it('reads a binary-mode event: attributes in ce-* headers, the body is the data', () => {
    const event = registryFixture('cloudevents/image-pushed.json') as { data: unknown };
    const d = pushes(
      parse('cloudevents', event.data, {
        'ce-specversion': '1.0',
        'ce-id': 'binary-1',
        'ce-source': '/subscriptions/x/resourceGroups/fleet-rg/providers/Microsoft.ContainerRegistry/registries/fleetacr',
        'ce-type': 'Microsoft.ContainerRegistry.ImagePushed',
      }),
    );
    assert.equal(d.deliveryId, 'binary-1');
    assert.equal(d.pushes[0]?.repository, 'fleetacr.azurecr.io/edge/sensor');
  });
  it('reads a batch, keeps the pushes and skips the deletes', () => {
    const d = pushes(parse('cloudevents', registryFixture('cloudevents/batch.json')));
    assert.deepEqual(d.pushes.map((p) => `${p.repository}:${p.tag}`), ['fleetacr.azurecr.io/edge/gateway:2.0.1']);
    assert.equal(d.pushes[0]?.deliveryId, '9d2c1f4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f');
    assert.match(d.deliveryId, /^cloudevents-/);
  });
  it('ignores other event types and refuses events that are not CloudEvents 1.0', () => {
    const [deleted] = registryFixture('cloudevents/batch.json') as unknown[];
    assert.match(ignoredReason(parse('cloudevents', deleted)), /ImageDeleted' is not Microsoft.ContainerRegistry.ImagePushed/);
    assert.deepEqual(problemPointers(parse('cloudevents', { ...(deleted as object), specversion: '0.3' })), ['/specversion']);
    assert.deepEqual(problemPointers(parse('cloudevents', [])), ['']);
  });
});

describe('generic webhook', () => {
  it('reads our own documented format', () => {
    const d = pushes(parse('generic', registryFixture('generic/push.json')));
    assert.equal(d.deliveryId, 'ci-run-4711');
    assert.deepEqual(d.pushes, [{ repository: 'fleetacr.azurecr.io/edge/sensor', tag: '1.4.3', digest: DIGEST, deliveryId: 'ci-run-4711' }]);
  });
  it('ignores pings and refuses bad images with a pointer to the push', () => {
    assert.equal(ignoredReason(parse('generic', registryFixture('generic/ping.json'))), "event type 'ping' is not a push");
    assert.deepEqual(problemPointers(parse('generic', { id: 'x', type: 'push', pushes: [{ image: 'ok/app', tag: 'bad tag' }] })), ['/pushes/0']);
    assert.deepEqual(problemPointers(parse('generic', { type: 'push' })), ['/id']);
  });
});
