// Fixtures stay as JSON/YAML files under test/fixtures (not compiled), read from the repository root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'deployments');

export const fixtureText = (name: string): string => readFileSync(join(root, name), 'utf8');
export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name)) as unknown;
