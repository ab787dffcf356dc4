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
      assert.ok(appSettingNames.has(name), `${name} is not wired to a Key Vault secret`);
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
    assert.match(iothub, /iotHubDataContributor = '4fc6c259-987e-4a07-842e-c321cc9d413f'/, 'IoT Hub Data Contributor (configurations) for the app on each hub');
    assert.match(iothub, /principalId:\s*appPrincipalId[^}]*iotHubDataContributor\)/);
  });

  it('routes twin changes and connection state events to an identity-based Event Hubs endpoint, after its role exists', () => {
    const iothub = file(join('modules', 'iothub.bicep')).text;
    const sources = routeSources(file(join('modules', 'iothub.bicep')));
    for (const source of ['TwinChangeEvents', 'DeviceConnectionStateEvents']) assert.ok(sources.includes(source), `no route from ${source}`);
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
