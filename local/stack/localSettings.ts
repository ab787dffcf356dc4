// App settings for the local host, lowest precedence first: what the stack's
// own components provide, then `local.settings.json` Values (the Functions
// convention), then the environment. So a user can point the local host at
// real resources (a real IoT Hub, say) by setting them in either place.
import { existsSync, readFileSync } from 'node:fs';
import { connectionDefinitions, settingDefinitions } from '../../shared/config/settings';

export function readLocalSettingsFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { Values?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(parsed.Values ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Only settings the app or host knows about are taken from the environment, so PATH and friends stay out. */
function knownFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const names = new Set<string>([...Object.keys(settingDefinitions), 'AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME']);
  const connections = Object.keys(connectionDefinitions);
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        typeof e[1] === 'string' && (names.has(e[0]) || connections.some((c) => e[0] === c || e[0].startsWith(`${c}__`))),
    ),
  );
}

export function mergeSettings(
  provided: Readonly<Record<string, string>>,
  file: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  return { FUNCTIONS_WORKER_RUNTIME: 'node', LOCAL_DEV: 'true', ...provided, ...file, ...knownFromEnvironment(env) };
}
