import { app } from '@azure/functions';
import { lazyHandlers } from '../shared/http/lazyHandlers';

const handlers = lazyHandlers(() => import('../shared/handlers/reconcile.js'));

// The controller loop: every minute by default (RECONCILE_SCHEDULE). A thrown
// error (storage down) fails this run only; the next tick tries again.
app.timer('reconcile', {
  schedule: '%RECONCILE_SCHEDULE%',
  runOnStartup: false,
  handler: handlers.trigger('reconcileHandler'),
});

// POST /api/reconcile: run one pass now and see its report (admin key only).
app.http('reconcileNow', {
  methods: ['POST'],
  authLevel: 'admin',
  route: 'reconcile',
  handler: handlers.http('reconcileNowHandler'),
});
