// Settings a cold start is given: what the local stack sets, with endpoints
// nothing listens on (importing the app and building clients connects to nothing).
import { azuriteConnectionString } from '../local/azurite';

export function coldstartEnv(): NodeJS.ProcessEnv {
  const hubs = ['weu', 'eus', 'sea'].map((name) => ({ name, region: name, connection: `HostName=${name}.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${Buffer.from(`k-${name}`).toString('base64')}` }));
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    AzureWebJobsStorage: azuriteConnectionString('127.0.0.1', { blob: 1, queue: 1, table: 1 }),
    FleetStorage: azuriteConnectionString('127.0.0.1', { blob: 1, queue: 1, table: 1 }),
    HealthEventHub: 'Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=a2V5;UseDevelopmentEmulator=true',
    HEALTH_EVENTHUB_NAME: 'device-health',
    HEALTH_EVENTHUB_CONSUMER_GROUP: 'control-plane',
    HUBS: JSON.stringify(hubs),
    RECONCILE_SCHEDULE: '0 */1 * * * *',
    LOCAL_DEV: 'true',
  };
}
