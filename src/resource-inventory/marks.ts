/**
 * The ownership marks kontract puts on every object it applies (docs/architecture.md). Kept apart
 * from ownership.ts so canonicalize.ts can strip them without an import cycle.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kontract';
/** Value: the integration name. The LIST label selector. */
export const INTEGRATION_LABEL = 'kontract.io/integration';
/** Value: the integration name (also readable where labels are rewritten). */
export const INTEGRATION_ANNOTATION = 'kontract.io/integration';
/** Value: sha256 (hex) of the canonical desired body, see desiredHash(). */
export const SHA_ANNOTATION = 'kontract.io/sha256';
/**
 * Value: sha256 (hex) of the desired object as its integration built it (plain JSON, before
 * canonicalisation), see sourceHash(). A fast-path key only: when it matches, the desired object
 * is the one last applied, so its canonical sha matches too and canonicalising can be skipped.
 */
export const SOURCE_SHA_ANNOTATION = 'kontract.io/source-sha256';
/** Every annotation under this prefix is kontract's own and never compared. */
export const KONTRACT_ANNOTATION_PREFIX = 'kontract.io/';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
