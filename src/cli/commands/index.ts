/**
 * The explicit list of CLI commands. Each command lives in its own file and is added here.
 */
import type { KontractCommand } from '../command.js';
import { bundleCommand } from './bundle.js';
import { fabricStatusCommand } from './fabric-status.js';
import { inventoryCommand } from './inventory.js';
import { localClustersCommand } from './local-clusters.js';
import { rbacCommand } from './rbac.js';
import { integrationCommands, runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly KontractCommand[] = [
  runCommand,
  ...integrationCommands,
  localClustersCommand,
  inventoryCommand,
  validateCommand,
  serveCommand,
  bundleCommand,
  fabricStatusCommand,
  rbacCommand,
];
