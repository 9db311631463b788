/**
 * kontract's typed errors. Every error a user can see has a stable `code` (documented in the
 * README); the CLI shell maps errors to exit codes in one place (src/cli/exit-codes.ts).
 * Messages must never contain a token or Secret data.
 */
export const ERROR_CODES = {
  /** app-interface data is invalid (schema, refs, cross-file rules). */
  VALIDATION: 'E_VALIDATION',
  /** A command-line flag or combination is invalid. */
  USAGE: 'E_USAGE',
  /** A cluster could not be configured (missing credentials, bad CA path, unknown context). */
  CLUSTER_CONFIG: 'E_CLUSTER_CONFIG',
  /** A cluster could not be reached or answered with an error. */
  CLUSTER_ACCESS: 'E_CLUSTER_ACCESS',
  /** The desired state could not be built (duplicate object, unknown reference). */
  DESIRED_STATE: 'E_DESIRED_STATE',
  /** An existing object kontract does not own blocks a desired one (use --take-over). */
  OWNERSHIP_CONFLICT: 'E_OWNERSHIP_CONFLICT',
  /** A safety limit refused the plan (mass deletion, empty desired set, immutable field). */
  SAFETY: 'E_SAFETY',
  /** Applying a change failed. */
  APPLY: 'E_APPLY',
  /** A secret (Vault or the secrets config file) could not be read. */
  SECRET: 'E_SECRET',
  /** The run's Lease on a cluster is held by another run, or could not be taken or kept. */
  LOCKED: 'E_LOCKED',
  /** The GraphQL data source failed. */
  GRAPHQL: 'E_GRAPHQL',
  /** The local control plane harness failed. */
  LOCAL_CLUSTER: 'E_LOCAL_CLUSTER',
  /** Metrics could not be written or pushed. */
  METRICS: 'E_METRICS',
  /** A bug in kontract. */
  INTERNAL: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const BRAND = Symbol.for('kontract.error');

export interface KontractErrorOptions {
  readonly cause?: unknown;
  /** Cluster the error belongs to, when it is per cluster. */
  readonly cluster?: string;
}

export class KontractError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly cluster: string | undefined;

  constructor(code: ErrorCode, message: string, options: KontractErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KontractError';
    this.code = code;
    this.cluster = options.cluster;
  }
}

/** One problem in the app-interface data: `file:line? field-path: message`. */
export interface ValidationProblem {
  readonly file: string;
  readonly line?: number;
  /** Dotted/indexed path of the offending field, e.g. `quotas[0].resources.limits.cpu`. */
  readonly field: string;
  readonly message: string;
}

export function formatProblem(p: ValidationProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return p.field === '' ? `${where}: ${p.message}` : `${where} ${p.field}: ${p.message}`;
}

/** All validation problems of one pass, reported together. */
export class ValidationError extends KontractError {
  readonly problems: readonly ValidationProblem[];
  constructor(problems: readonly ValidationProblem[]) {
    super(
      ERROR_CODES.VALIDATION,
      `${problems.length} problem(s) in the app-interface:\n${problems.map(formatProblem).join('\n')}`,
    );
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

export function isKontractError(e: unknown): e is KontractError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

export function isValidationError(e: unknown): e is ValidationError {
  return isKontractError(e) && e.code === ERROR_CODES.VALIDATION && 'problems' in e;
}

/** Message of any thrown value, for logs. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
