// The components `npm start` runs, in start order. Add a component here.
import { azuriteComponent } from './azuriteComponent';
import type { StackComponent } from './component';
import { iothubComponent } from './iothubComponent';

export const defaultComponents: readonly StackComponent[] = [azuriteComponent, iothubComponent];

/**
 * Settings every local run needs that no component provides yet. The health
 * Event Hub connection points at the local Event Hubs endpoint's default address.
 */
export const baseSettings: Readonly<Record<string, string>> = {
  HUBS: '[]',
  HEALTH_EVENTHUB_NAME: 'device-health',
  HEALTH_EVENTHUB_CONSUMER_GROUP: 'control-plane',
  RECONCILE_SCHEDULE: '0 */1 * * * *',
  HealthEventHub: 'Endpoint=sb://127.0.0.1:5672/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=bG9jYWw=;UseDevelopmentEmulator=true',
};
