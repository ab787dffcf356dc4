// Errors the simulated hub answers with. IoT Hub's REST error body is
// `{"Message":"ErrorCode:<Code>;<text>","ExceptionMessage":"..."}`; the SDK's
// `translateError` splits `Message` on ';' and ':' to get the code, so the shape matters.

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export function errorBody(error: HubError, trackingId: string): string {
  // ';' inside the text would make the SDK cut the message short.
  const text = error.message.replace(/;/g, ',');
  return JSON.stringify({
    Message: `ErrorCode:${error.code};${text}`,
    ExceptionMessage: `Tracking ID:${trackingId}-G:0-TimeStamp:${new Date().toISOString()}`,
  });
}

export const hubErrors = {
  deviceNotFound: (id: string) => new HubError(404, 'DeviceNotFound', `Device ${id} was not found.`),
  moduleNotFound: (d: string, m: string) => new HubError(404, 'ModuleNotFound', `Module ${m} on device ${d} was not found.`),
  deviceExists: (id: string) => new HubError(409, 'DeviceAlreadyExists', `A device with ID '${id}' is already registered.`),
  moduleExists: (d: string, m: string) => new HubError(409, 'ModuleAlreadyExistsOnDevice', `Module ${m} already exists on device ${d}.`),
  configurationNotFound: (id: string) => new HubError(404, 'ConfigurationNotFound', `Configuration ${id} was not found.`),
  configurationExists: (id: string) => new HubError(409, 'ConfigurationAlreadyExists', `Configuration ${id} already exists.`),
  preconditionFailed: (what: string) => new HubError(412, 'PreconditionFailed', `Precondition failed: ETag of ${what} does not match.`),
  badRequest: (message: string, code = 'ArgumentInvalid') => new HubError(400, code, message),
  unauthorized: (message: string) => new HubError(401, 'IotHubUnauthorizedAccess', message),
  throttled: (retryAfterSeconds: number) =>
    new HubError(429, 'ThrottlingException', 'Throttling: request rate exceeded, retry later.', {
      'Retry-After': String(retryAfterSeconds),
    }),
  // IoT Hub answers 413 (RequestEntityTooLarge) with this code, as seen in SDK issues.
  configurationLimit: (max: number) =>
    new HubError(413, 'ConfigurationCountLimitExceeded', `Number of deployments exceed the maximum quota ${max} for this IotHub.`),
  unavailable: () => new HubError(503, 'ServerBusy', 'The IoT hub is temporarily unavailable.'),
};
