/**
 * The explicit list of CLI commands. Each command lives in its own file and is added here.
 */
import type { KontractCommand } from '../command.js';

export const COMMANDS: readonly KontractCommand[] = [];
