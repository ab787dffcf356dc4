// The components `npm start` runs, in start order. Add a component here.
import { azuriteComponent } from './azuriteComponent';
import type { StackComponent } from './component';
import { eventhubsComponent } from './eventhubsComponent';
import { iothubComponent } from './iothubComponent';

export const defaultComponents: readonly StackComponent[] = [azuriteComponent, eventhubsComponent, iothubComponent];

/** Settings every local run needs that no component provides. */
export const baseSettings: Readonly<Record<string, string>> = {
  RECONCILE_SCHEDULE: '0 */1 * * * *',
};
