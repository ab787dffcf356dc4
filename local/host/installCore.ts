// Makes `require('@azure/functions-core')` resolve to our stand-in, the same
// module name the Functions worker injects. Must run before `@azure/functions`
// is first required (it looks the module up lazily, once).
import Module from 'node:module';
import { join } from 'node:path';

const CORE = '@azure/functions-core';
let installed = false;

export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const target = join(__dirname, 'functionsCore.js');
  const internal = Module as unknown as {
    _resolveFilename(request: string, parent: unknown, isMain: boolean, options: unknown): string;
  };
  const original = internal._resolveFilename.bind(Module);
  internal._resolveFilename = (request, parent, isMain, options) =>
    request === CORE ? target : original(request, parent, isMain, options);
}
