// Which configured hub an event came from. Routed events name the hub that
// made them by its real IoT Hub name (`user-id`, `hubName`), which is the
// resource's name (infra/ names hubs `iot-<token>-<name>`), not the short name
// the API knows. Events from hubs that are not configured are refused, so a
// made-up name can never create a table or grow a map.

export interface HubDirectory {
  /** The configured name of the hub called `name` (its configured name, real IoT Hub name or host name), if any. */
  resolve(name: string): string | undefined;
}

/** The host name in a hub's `connection` setting: a connection string's HostName, or a bare host name. */
export function hubHostName(connection: string): string {
  const match = /(?:^|;)\s*HostName=([^;]+)/i.exec(connection);
  return (match ? match[1]! : connection).trim().toLowerCase();
}

export function hubDirectory(hubs: readonly { readonly name: string; readonly connection: string }[]): HubDirectory {
  const names = new Map<string, string>();
  for (const hub of hubs) {
    const host = hubHostName(hub.connection);
    // The IoT Hub's real name is the first label of its host name (<name>.azure-devices.net).
    for (const alias of [hub.name, host, host.split('.')[0] ?? '']) if (alias) names.set(alias.toLowerCase(), hub.name);
  }
  return { resolve: (name) => names.get(name.toLowerCase()) };
}
