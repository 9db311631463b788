/**
 * Registry conformance: every integration folder (a folder under src/integrations/ holding an
 * integration.ts, named after the integration's CLI name) is registered in
 * src/integrations/index.ts, documented by a README.md and
 * docs/integrations.md, and tested by a unit test and an integration test named after its CLI
 * name. Registered integrations are well-formed and uniquely named.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Integration } from '../../../src/integrations/define-integration.js';
import { INTEGRATIONS } from '../../../src/integrations/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INTEGRATIONS_DIR = join(ROOT, 'src/integrations');

function integrationFolders(): string[] {
  return readdirSync(INTEGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(INTEGRATIONS_DIR, d.name, 'integration.ts')))
    .map((d) => d.name)
    .sort();
}

function isIntegration(value: unknown): value is Integration {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && Array.isArray(v.kinds) && typeof v.buildDesired === 'function';
}

/** The Integration values a folder's integration.ts exports. */
async function exportedIntegrations(folder: string): Promise<Integration[]> {
  const mod = (await import(pathToFileURL(join(INTEGRATIONS_DIR, folder, 'integration.ts')).href)) as Record<string, unknown>;
  return Object.values(mod).filter(isIntegration);
}

const folders = integrationFolders();

describe('integration registry', () => {
  it('has at least the five tenant integrations', () => {
    expect(INTEGRATIONS.map((i) => i.name)).toEqual(
      expect.arrayContaining(['namespaces', 'resourcequotas', 'limitranges', 'rolebindings', 'networkpolicies']),
    );
  });

  it('has unique integration names', () => {
    const names = INTEGRATIONS.map((i) => i.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it.each(INTEGRATIONS.map((i) => [i.name, i] as const))('%s is well-formed', (_name, integration) => {
    expect(integration.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(integration.summary.length).toBeGreaterThan(0);
    // An integration whose kinds come from the data (resources) may declare none.
    if (integration.kindsFromData !== true) expect(integration.kinds.length).toBeGreaterThan(0);
    for (const kind of integration.kinds) {
      expect(kind.plural).toBe(kind.plural.toLowerCase());
      expect(kind.version).not.toBe('');
      expect(Number.isFinite(kind.order)).toBe(true);
    }
  });
});

describe.each(folders)('src/integrations/%s', (folder) => {
  it('exports exactly one integration and it is registered', async () => {
    const exported = await exportedIntegrations(folder);
    expect(exported, `${folder}/integration.ts exports no defineIntegration(...) value`).toHaveLength(1);
    expect(INTEGRATIONS, `${exported[0]?.name ?? folder} is not listed in src/integrations/index.ts`).toContain(exported[0]);
  });

  it('is named after its CLI name (the folder is the integration name)', async () => {
    const [integration] = await exportedIntegrations(folder);
    expect(folder).toBe(integration!.name);
  });

  it('has a README.md naming the integration, linked from docs/integrations.md', async () => {
    const [integration] = await exportedIntegrations(folder);
    const readme = join(INTEGRATIONS_DIR, folder, 'README.md');
    expect(existsSync(readme), `missing src/integrations/${folder}/README.md`).toBe(true);
    expect(readFileSync(readme, 'utf8')).toContain(`\`${integration!.name}\``);
    const index = join(ROOT, 'docs/integrations.md');
    expect(existsSync(index), 'missing docs/integrations.md').toBe(true);
    expect(readFileSync(index, 'utf8')).toContain(`../src/integrations/${folder}/README.md`);
  });

  it('has a unit test and an integration test named after its CLI name', async () => {
    const [integration] = await exportedIntegrations(folder);
    const name = integration!.name;
    const unit = `test/unit/integrations/${name}.test.ts`;
    const integ = `test/integration/integrations/${name}.test.ts`;
    expect(existsSync(join(ROOT, unit)), `missing ${unit}`).toBe(true);
    expect(existsSync(join(ROOT, integ)), `missing ${integ}`).toBe(true);
  });
});

describe('registered integrations', () => {
  it('each come from an integration folder', async () => {
    const fromFolders = (await Promise.all(folders.map(exportedIntegrations))).flat();
    const orphans = INTEGRATIONS.filter((i) => !fromFolders.includes(i)).map((i) => i.name);
    expect(orphans).toEqual([]);
  });
});
