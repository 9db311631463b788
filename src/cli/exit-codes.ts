/**
 * Exit codes, decided only in src/cli/main.ts from typed outcomes and errors.
 */
import { ERROR_CODES, isKontractError } from '../core/errors.js';

export const EXIT = {
  OK: 0,
  /** Any error: invalid data, unreachable cluster, failed apply, refused plan. */
  ERROR: 1,
  /** Only with --detailed-exitcode: the run succeeded and changes are pending (dry-run) or were made. */
  CHANGES: 2,
  /** Bad command line. */
  USAGE: 64,
  /** A run stopped by SIGINT (128 + 2). */
  SIGINT: 130,
  /** A run stopped by SIGTERM (128 + 15). */
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a command returns; it throws a KontractError for failures. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'changes'; readonly count: number }
  | { readonly kind: 'failed'; readonly errors: number }
  /** A run was stopped by a signal before it finished sending its changes. */
  | { readonly kind: 'interrupted'; readonly signal: 'SIGINT' | 'SIGTERM' };

export function exitCodeFor(outcome: Outcome, detailedExitcode: boolean): ExitCode {
  switch (outcome.kind) {
    case 'ok':
      return EXIT.OK;
    case 'changes':
      return detailedExitcode ? EXIT.CHANGES : EXIT.OK;
    case 'failed':
      return EXIT.ERROR;
    case 'interrupted':
      return outcome.signal === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM;
  }
}

export function exitCodeForError(e: unknown): ExitCode {
  return isKontractError(e) && e.code === ERROR_CODES.USAGE ? EXIT.USAGE : EXIT.ERROR;
}
