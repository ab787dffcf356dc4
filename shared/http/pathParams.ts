// Route parameters, validated before they reach storage: an id with an encoded
// slash (`a%2Fb` arrives decoded as `a/b`) or any other character Table storage
// keys refuse is a client mistake (400 naming the parameter), never a storage
// outage. The rules are the ids' own: deployment ids as the deployment schema
// has them, IoT Hub device ids as IoT Hub documents them.
import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { deploymentIdSchema } from '../domain/deployments/deploymentSpec';
import { badRequest } from '../errors';

/**
 * IoT Hub device ids: up to 128 characters, ASCII letters and digits plus
 * `- . + % _ # * ? ! ( ) , : = @ $ '` (Microsoft Learn, "Understand the identity
 * registry in your IoT hub", Device identity properties: deviceId).
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9\-.+%_#*?!(),:=@$']{1,128}$/;

function param(request: HttpRequest, name: string, valid: (value: string) => string | undefined): string {
  const value = request.params[name] ?? '';
  const problem = valid(value);
  if (problem) {
    throw badRequest(`The path parameter '${name}' is not valid: ${problem}.`, [{ pointer: `/path/${name}`, detail: problem, code: 'invalid_path_parameter' }], 'InvalidPathParameter');
  }
  return value;
}

const bySchema = (schema: z.ZodType) => (value: string) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'is not valid');
};

export const deploymentIdParam = (request: HttpRequest): string => param(request, 'id', bySchema(deploymentIdSchema));

export const deviceIdParam = (request: HttpRequest): string =>
  param(request, 'deviceId', (v) => (DEVICE_ID_PATTERN.test(v) ? undefined : "must be 1-128 ASCII letters, digits or - . + % _ # * ? ! ( ) , : = @ $ '"));
