// Offline checks of infra/: what can be verified without a Bicep compiler.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { connectionDefinitions, requiredSettingNames, settingDefinitions } from '../../../shared/config/settings';
import { projectRoot } from '../../helpers/fixtureApp';
import { type BicepFile, modulePaths, objectDefaultKeys, params, readBicep, routeSources, settingEntries } from './bicepText';

const infra = join(projectRoot, 'infra');
const files = readBicep(infra);
const file = (path: string): BicepFile => {
  const found = files.find((f) => f.path === path);
  if (!found) assert.fail(`${path} is missing`);
  return found;
};
const functionApp = file(join('modules', 'functionapp.bicep'));
const appSettingNames = new Set([...settingEntries(functionApp).map((s) => s.name), ...objectDefaultKeys(file('main.bicep'), 'webhookSecretNames')]);

describe('infrastructure (offline checks of infra/)', () => {
  it('provides every setting the app requires, in Azure form', () => {
    const missing = requiredSettingNames().filter((name) => !appSettingNames.has(name));
    assert.deepEqual(missing, [], `required settings not set by the function app: ${missing.join(', ')}`);
  });

  it('provides every connection identity-based, plus the host storage', () => {
    const wanted = [
      ...Object.entries(connectionDefinitions).map(([name, def]) => (def.kind === 'storage' ? `${name}__accountName` : `${name}__fullyQualifiedNamespace`)),
      'AzureWebJobsStorage__accountName',
      // The app has only a user-assigned identity: DefaultAzureCredential needs to be told which.
      'AZURE_CLIENT_ID',
      ...[...Object.keys(connectionDefinitions), 'AzureWebJobsStorage'].flatMap((name) => [`${name}__credential`, `${name}__clientId`]),
    ];
    assert.deepEqual(wanted.filter((n) => !appSettingNames.has(n)), []);
  });

  it('puts no key or connection string in any app setting, and secrets behind Key Vault references', () => {
    for (const { name, value } of settingEntries(functionApp)) {
      assert.doesNotMatch(value, /AccountKey=|SharedAccessKey=|SharedAccessSignature/i, `${name} holds a secret`);
      assert.notEqual(name, 'AzureWebJobsStorage', 'the host storage must be identity-based');
    }
    for (const name of Object.keys(settingDefinitions).filter((n) => n.startsWith('WEBHOOK_'))) {
      assert.ok(appSettingNames.has(name), `${name} has no Key Vault secret name in webhookSecretNames`);
    }
    assert.match(functionApp.text, /@Microsoft\.KeyVault\(SecretUri=/);
    assert.match(functionApp.text, /keyVaultReferenceIdentity:\s*appIdentityId/);
  });

  it('assigns every role the code needs to the right identity', () => {
    const roles = file(join('modules', 'roles.bicep')).text;
    const iothub = file(join('modules', 'iothub.bicep')).text;
    const needed: [string, string, string][] = [
      ['Storage Blob Data Owner', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'appPrincipalId'],
      ['Storage Table Data Contributor', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', 'appPrincipalId'],
      ['Storage Queue Data Contributor', '974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'appPrincipalId'],
      ['Azure Event Hubs Data Receiver', 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde', 'appPrincipalId'],
      ['Azure Event Hubs Data Sender', '2b629674-e913-4c01-ae53-ef4638d8f975', 'hubsPrincipalId'],
      ['Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6', 'appPrincipalId'],
      ['Monitoring Metrics Publisher', '3913510d-42f4-4e42-8a64-420c390055eb', 'appPrincipalId'],
    ];
    for (const [role, id, principal] of needed) {
      const key = new RegExp(`(\\w+):\\s*'${id}'`).exec(roles)?.[1];
      assert.ok(key, `${role} (${id}) is not defined`);
      assert.match(roles, new RegExp(`principalId:\\s*${principal}[^}]*roleIds\\.${key}\\)`), `${role} is not assigned to ${principal}`);
    }
    assert.match(iothub, /principalId:\s*appPrincipalId[^}]*roleDefinitionId:\s*configurationRoleId/, 'the custom configuration role for the app on each hub');
    assert.match(file('main.bicep').text, /configurationRoleId:\s*roles\.outputs\.configurationManagerRoleId/);
  });

  it('grants the app on each hub only configuration and statistics data actions (a custom role, not IoT Hub Data Contributor)', () => {
    const roles = file(join('modules', 'roles.bicep')).text;
    const iothub = file(join('modules', 'iothub.bicep')).text;
    const block = /var configurationManagerActions = \[([^\]]*)\]/.exec(roles)?.[1] ?? '';
    const actions = [...block.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    // What registryConfigurations.ts (get/list/add/update/remove configuration) and hubProbe.ts (registry statistics) call.
    assert.deepEqual(actions, [
      'Microsoft.Devices/IotHubs/configurations/delete',
      'Microsoft.Devices/IotHubs/configurations/read',
      'Microsoft.Devices/IotHubs/configurations/write',
      'Microsoft.Devices/IotHubs/statistics/read',
    ]);
    assert.match(roles, /dataActions:\s*configurationManagerActions/);
    assert.match(roles, /assignableScopes:\s*\[resourceGroup\(\)\.id\]/);
    for (const text of [roles, iothub]) {
      assert.doesNotMatch(text, /4fc6c259-987e-4a07-842e-c321cc9d413f/, 'IoT Hub Data Contributor also allows direct methods, C2D messages and device identity changes');
      assert.doesNotMatch(text, /directMethods|cloudToDeviceMessages|IotHubs\/devices|IotHubs\/\*/);
    }
  });

  it('routes only what health ingestion reads: $edgeAgent/$edgeHub reported changes, connection state, lifecycle, heartbeats', () => {
    const iothub = file(join('modules', 'iothub.bicep')).text;
    const routes = [...iothub.matchAll(/\{ name: '([\w$-]+)', source: '(\w+)', condition: ([^,]+), endpointNames: \['device-health'\]/g)].map((m) => ({ name: m[1]!, source: m[2]!, condition: m[3]!.trim() }));
    const bySource = new Map(routes.map((r) => [r.source, r]));
    const condition = (name: string) => new RegExp(`var ${name} = '(.*)'$`, 'm').exec(iothub)?.[1]?.replace(/\\'/g, "'") ?? '';
    const twin = bySource.get('TwinChangeEvents');
    assert.ok(twin, 'no route from TwinChangeEvents');
    assert.notEqual(twin.condition, "'true'", 'every twin change in the fleet would be routed and billed');
    // edgeAgent's desired changes carry configuration.id, the only routed source of which deployment a device runs.
    assert.equal(
      condition(twin.condition),
      "(moduleId = '$edgeAgent' AND (IS_DEFINED($body.properties.reported) OR IS_DEFINED($body.properties.desired))) OR (moduleId = '$edgeHub' AND IS_DEFINED($body.properties.reported))",
    );
    const lifecycle = bySource.get('DeviceLifecycleEvents');
    assert.ok(lifecycle, 'no route from DeviceLifecycleEvents');
    for (const op of ['createDeviceIdentity', 'deleteDeviceIdentity']) assert.match(condition(lifecycle.condition), new RegExp(`opType = '${op}'`));
    assert.equal(bySource.get('DeviceConnectionStateEvents')?.condition, "'true'");
    assert.equal(bySource.get('DeviceMessages')?.condition, "'type = \\'heartbeat\\''");
    // Heartbeats carry no hub name of their own: ingestion reads it from this enrichment.
    assert.match(file(join('modules', 'iothub.bicep')).text, /\{ key: 'hubName', value: '\$iothubname', endpointNames: \['device-health'\] \}/);
  });

  it('wires only the enabled webhook providers, and makes the continuation token key in Key Vault', () => {
    assert.match(functionApp.text, /filter\(items\(webhookSecretNames\), s => contains\(enabledWebhooks, s\.key\)\)/);
    assert.match(file('main.bicep').text, /param enabledWebhooks array = \[\]/, 'no provider is wired before its secret exists');
    assert.match(functionApp.text, /name: 'PAGE_TOKEN_KEY', value: '@Microsoft\.KeyVault\(SecretUri=/);
    const vault = file(join('modules', 'keyvault.bicep')).text;
    assert.match(vault, /@secure\(\)\s*\n@description\([^)]*\)\s*\nparam pageTokenKey string = newGuid\(\)/);
    assert.match(vault, /name: 'page-token-key'/);
  });

  it('seals inline registry credentials with a key the operator makes once, never one infra makes up', () => {
    const vault = file(join('modules', 'keyvault.bicep')).text;
    assert.match(vault, /@secure\(\)\s*\n@description\(.*\)\s*\nparam registrySecretsKey string = ''/);
    assert.doesNotMatch(vault, /registrySecretsKey string = newGuid/, 'a new key on each deployment makes every sealed password unreadable');
    assert.match(vault, /resource registrySecretsKeySecret '[^']+' = if \(!empty\(registrySecretsKey\)\)/);
    assert.match(functionApp.text, /name: 'REGISTRY_SECRETS_KEY', value: '@Microsoft\.KeyVault\(SecretUri=/);
    assert.match(functionApp.text, /registrySecretsKeySettings = empty\(registrySecretsKeySecretName\) \? \[\]/, 'no reference to a secret that was never made');
    assert.match(file('main.bicep').text, /@secure\(\)\s*\n@description\(.*\)\s*\nparam registrySecretsKey string = ''/);
  });

  it('signs operators in to the console with Entra ID (Easy Auth), without locking out webhooks and key callers', () => {
    const auth = file(join('modules', 'easyauth.bicep')).text;
    assert.match(auth, /'Microsoft\.Web\/sites\/config@[^']+'/);
    assert.match(auth, /name: 'authsettingsV2'/);
    assert.match(auth, /platform: \{ enabled: true \}/);
    assert.match(auth, /azureActiveDirectory: \{\s*enabled: true/);
    assert.match(auth, /openIdIssuer: '\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{tenantId\}\/v2\.0'/);
    // Registries and scripts cannot follow a browser sign-in: the console's function redirects, nothing else does.
    assert.match(auth, /requireAuthentication: false/);
    assert.match(auth, /unauthenticatedClientAction: 'AllowAnonymous'/);
    assert.match(auth, /requireHttps: true/);
    assert.doesNotMatch(auth, /clientSecret/, 'no secret in the template');
    const main = file('main.bicep').text;
    assert.match(main, /module consoleSignIn 'modules\/easyauth\.bicep' = if \(!empty\(consoleSignInClientId\)\)/);
    assert.match(main, /param consoleSignInClientId string = ''/);
  });

  it('ships no tests, local stack, benchmarks, demo or sources in the app package (.funcignore)', () => {
    const ignored = readFileSync(join(projectRoot, '.funcignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const folder of ['/test/', '/local/', '/bench/', '/demo/', '/docs/', '/infra/', '/dist/test/', '/dist/local/', '/dist/bench/', '/dist/demo/', '/.local/', '/local.settings.json']) {
      assert.ok(ignored.includes(folder), `${folder} would ship in the app package`);
    }
    // Unanchored folder names would also match dist/functions and dist/shared, which the app is.
    for (const line of ignored) assert.doesNotMatch(line, /^(functions|shared|dist)\/?$/, `'${line}' would drop the app itself`);
    assert.ok(!ignored.some((l) => /^\/?(dist\/)?(functions|shared)\/?$/.test(l) && l.startsWith('/dist')), 'dist/functions and dist/shared must ship');
    assert.ok(!ignored.includes('/host.json') && !ignored.includes('/package.json'));
  });

  it('routes twin changes, connection state and lifecycle events to an identity-based Event Hubs endpoint, after its role exists', () => {
    const iothub = file(join('modules', 'iothub.bicep')).text;
    const sources = routeSources(file(join('modules', 'iothub.bicep')));
    for (const source of ['TwinChangeEvents', 'DeviceConnectionStateEvents', 'DeviceLifecycleEvents']) assert.ok(sources.includes(source), `no route from ${source}`);
    assert.match(iothub, /authenticationType:\s*'identityBased'/);
    assert.match(file('main.bicep').text, /module iotHubs[\s\S]*?dependsOn:\s*\[roles\]/, 'hubs must wait for the Event Hubs Data Sender assignment');
  });

  it('describes every parameter, and every module path exists', () => {
    for (const f of files) {
      for (const p of params(f)) assert.ok(p.described, `${f.path}: param ${p.name} has no @description`);
      for (const m of modulePaths(f)) assert.ok(existsSync(join(infra, dirname(f.path), m)), `${f.path}: module ${m} does not exist`);
    }
  });

  it('is an azd project deploying this Node function app', () => {
    const azure = readFileSync(join(projectRoot, 'azure.yaml'), 'utf8');
    assert.match(azure, /services:\s*\n\s+api:\s*\n\s+project:\s*\.\s*\n\s+language:\s*ts\s*\n\s+host:\s*function/);
    assert.match(azure, /path:\s*infra/);
    assert.match(functionApp.text, /runtime:\s*\{\s*name:\s*'node',\s*version:\s*'20'\s*\}/);
    assert.match(file('main.bicep').text, /module functionApp[\s\S]*?'azd-service-name': 'api'/, 'azd deploys the api service to the function app it tags');
    const parameters = JSON.parse(readFileSync(join(infra, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, unknown> };
    assert.ok(parameters.parameters.environmentName && parameters.parameters.hubs);
  });
});
