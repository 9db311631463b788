/**
 * The explicit list of CLI commands. Each command lives in its own file and is added here.
 */
import type { KontractCommand } from '../command.js';
import { localClustersCommand } from './local-clusters.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly KontractCommand[] = [
  localClustersCommand,
  validateCommand,
  serveCommand,
];
