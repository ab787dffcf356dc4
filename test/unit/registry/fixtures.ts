// Real-shaped registry webhook payloads under test/fixtures/registry (not compiled).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'registry');

export const registryFixtureText = (name: string): string => readFileSync(join(root, name), 'utf8');
export const registryFixture = (name: string): unknown => JSON.parse(registryFixtureText(name)) as unknown;
