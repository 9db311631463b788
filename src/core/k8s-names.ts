/**
 * Kubernetes name rules, as k8s.io/apimachinery/pkg/util/validation enforces them
 * (IsDNS1123Label, IsDNS1123Subdomain, IsValidLabelValue). The one place kontract spells them
 * out: validation, integrations and the local-cluster harness all use these.
 */

/** Longest DNS-1123 label (namespace names, label values). */
export const DNS1123_LABEL_MAX = 63;
/** Longest DNS-1123 subdomain (most object names). */
export const DNS1123_SUBDOMAIN_MAX = 253;

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

/** A DNS-1123 label, length included: lower-case alphanumerics and '-', ≤ 63 characters. */
export const DNS1123_LABEL_RE = new RegExp(`^(?=.{1,${DNS1123_LABEL_MAX}}$)${LABEL}$`);
/** A DNS-1123 subdomain, length included: dot-separated labels, ≤ 253 characters. */
export const DNS1123_SUBDOMAIN_RE = new RegExp(`^(?=.{1,${DNS1123_SUBDOMAIN_MAX}}$)${LABEL}(?:\\.${LABEL})*$`);
/** A label value: empty, or ≤ 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
const LABEL_VALUE_RE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function isDns1123Label(s: string): boolean {
  return DNS1123_LABEL_RE.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return DNS1123_SUBDOMAIN_RE.test(s);
}

export function isLabelValue(s: string): boolean {
  return LABEL_VALUE_RE.test(s);
}

/** The name part of a qualified name (label and annotation keys): ≤ 63, alphanumeric at both ends, '-', '_', '.' inside. */
const QUALIFIED_NAME_PART_RE = /^(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A qualified name (IsQualifiedName): `name` or `prefix/name`, where the prefix is a DNS-1123
 * subdomain. Label keys must be one; annotation keys too, once lower-cased.
 */
export function isQualifiedName(s: string): boolean {
  const parts = s.split('/');
  if (parts.length === 1) return QUALIFIED_NAME_PART_RE.test(s);
  if (parts.length !== 2) return false;
  const [prefix = '', name = ''] = parts;
  return isDns1123Subdomain(prefix) && QUALIFIED_NAME_PART_RE.test(name);
}

/** A path segment name (IsValidPathSegmentName, the RBAC kinds' names): not `.` or `..`, no `/` or `%`. */
export function isPathSegmentName(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('%');
}
