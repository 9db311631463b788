/**
 * The explicit registry of integrations (no directory scanning). A conformance test
 * (test/unit/integrations/conformance.test.ts) fails when an integration folder is not listed
 * here, has no README.md, or has no tests.
 */
import type { Integration } from './define-integration.js';

export const INTEGRATIONS: readonly Integration[] = [];

export function findIntegration(name: string): Integration | undefined {
  return INTEGRATIONS.find((i) => i.name === name);
}
