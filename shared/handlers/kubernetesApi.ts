// The handlers of functions/kubernetesApi.ts, loaded the first time one of them runs (shared/http/lazyHandlers.ts):
// importing the app registers its functions without loading this module or what it imports.
import type { HttpHandler } from '@azure/functions';
import { deploymentsDeps, getServices, settings } from '../composition';
import { handleKubernetes } from '../http/kubernetesHandler';
import { openIdSigningKeys } from '../services/kubernetes/bearerAuth';
import { WATCH_DEFAULTS } from '../services/kubernetes/watch';

const startedAt = new Date().toISOString();
const entra = settings.KUBERNETES_ENTRA_TENANT_ID && settings.KUBERNETES_ENTRA_AUDIENCE ? { tenantId: settings.KUBERNETES_ENTRA_TENANT_ID, audience: settings.KUBERNETES_ENTRA_AUDIENCE } : undefined;
const auth = { sharedKey: settings.KUBERNETES_API_KEY, entra, ...(entra ? { signingKey: openIdSigningKeys(entra.tenantId) } : {}) };

// /api/k8s/*: the Kubernetes API that kubectl and @kubernetes/client-node talk
// to (docs/kubernetes-api.md). Anonymous to the host: kubectl sends
// `Authorization: Bearer`, checked by the handler (shared key or Entra ID token).
export const kubernetesApiHandler: HttpHandler = (request, context) =>
  handleKubernetes(request, context, {
    auth,
    maxBodyBytes: settings.MAX_REQUEST_BODY_BYTES,
    api: async () => {
      const s = await getServices();
      const deployments = deploymentsDeps;
      const control = { store: s.deployments, rollouts: s.rollouts, fleet: s.fleet, configurationFor: s.configurationFor, now: () => new Date(), maxRateWaitMs: 10_000 };
      return {
        deployments,
        status: { store: s.deployments, metrics: s.metrics, hubStatus: s.hubStatus, deviceCounts: s.deviceCounts, rolloutStatus: s.rolloutStatus, rollouts: s.rollouts },
        control,
        context: { registryCredentialNames: Object.keys(s.settings.REGISTRY_CREDENTIALS) },
        hubs: s.settings.HUBS,
        hubStatus: s.hubStatus,
        health: s.health,
        startedAt,
        watch: WATCH_DEFAULTS,
      };
    },
  });
