/**
 * Readers of data that datafiles point at outside the app-interface (today: a fabric's directory
 * on disk or git repository). The engine fills them (src/reconcile/external-sources.ts) and hands
 * them to buildDesired in DesiredContext.sources, so integrations read no disk, run no git and can
 * be tested with documents handed in. Types only: an integration importing this reaches no IO.
 */
import type { FabricSourceReader } from './hedgehog/documents.js';

export interface ExternalSources {
  /** A Hedgehog fabric's GitOps documents (src/app-interface/hedgehog/sources.ts). */
  readonly fabric: FabricSourceReader;
}
