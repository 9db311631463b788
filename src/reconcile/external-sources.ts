/**
 * The engine fills the readers of sources outside the app-interface (DesiredContext.sources):
 * a fabric's directory on disk, confined to `allowedPaths`, or its git repository (src/app-interface/hedgehog/sources.ts).
 */
import type { ExternalSources } from '../app-interface/external-sources.js';
import { createFabricSourceReader } from '../app-interface/hedgehog/sources.js';
import type { DesiredContext } from '../integrations/define-integration.js';

type Where = Pick<DesiredContext, 'env' | 'cwd' | 'allowedPaths'>;

/** The disk and git readers of a run with this environment, working directory and allowed paths. */
export function externalSources(run: Where): ExternalSources {
  return { fabric: createFabricSourceReader({ env: run.env, cwd: run.cwd, ...(run.allowedPaths === undefined ? {} : { allowedPaths: run.allowedPaths }) }) };
}

/** `run` with its readers: those it has, otherwise the disk and git readers of externalSources. */
export function withExternalSources<T extends Where & Pick<DesiredContext, 'sources'>>(run: T): T & { sources: ExternalSources } {
  return { ...run, sources: run.sources ?? externalSources(run) };
}
