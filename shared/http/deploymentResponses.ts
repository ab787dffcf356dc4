// How deployment changes are answered: 201/200 when every hub converged, 202
// (Accepted) when some hub is still pending and the reconciler will finish,
// with Location and the revision's ETag.
import type { HttpResponseInit } from '@azure/functions';
import type { ChangeResult } from '../services/deployments/deploymentsService';
import { json } from './respond';

export const deploymentLocation = (id: string) => `/api/deployments/${encodeURIComponent(id)}`;

export function changeResponse(result: ChangeResult, kind: 'created' | 'changed'): HttpResponseInit {
  const status = result.converged ? (kind === 'created' ? 201 : 200) : 202;
  return json(status, result, {
    location: deploymentLocation(result.deployment.id),
    etag: result.deployment.etag,
  });
}
