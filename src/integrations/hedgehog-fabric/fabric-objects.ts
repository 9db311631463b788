/**
 * Turns the documents of a fabric's GitOps directory into fabric CRs ready to apply: documents of
 * other kinds are warned about or refused (per `unknownDocuments`), the namespace is `default`,
 * labels the fabric controller owns (`*fabric.githedgehog.com/*`) and server-set fields are
 * stripped with a warning, and names follow the webhook's metadata rules.
 */
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { FabricObject } from './checker.js';
import type { SourceDocument } from '../../app-interface/hedgehog/documents.js';
import { documentRef } from '../../app-interface/hedgehog/documents.js';
import { fabricKindOf } from './kinds.js';
import { normalizeFabricObject } from './normalize.js';
import type { Fabric, FabricKindName } from '../../app-interface/hedgehog/model.js';
import { asObject, asString, at, describe } from '../../app-interface/hedgehog/raw.js';
import { isDns1123Subdomain } from '../../core/k8s-names.js';

/** Every fabric object lives here (api/meta/validation.go). */
export const FABRIC_NAMESPACE = 'default';
/** The webhook deletes labels whose key contains this and recomputes its own. */
export const FABRIC_LABEL_MARK = 'fabric.githedgehog.com/';
/** Kinds whose names are limited to 11 characters. */
export const SHORT_NAME_KINDS: readonly FabricKindName[] = ['VPC', 'IPv4Namespace', 'External'];
export const SHORT_NAME_MAX = 11;

const SERVER_SET_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const ALLOWED_METADATA = ['name', 'namespace', 'labels', 'annotations'];

export interface ClassifyResult {
  readonly objects: readonly FabricObject[];
  readonly problems: readonly ValidationProblem[];
  readonly warnings: readonly ValidationProblem[];
}

/** True when the label key is one the fabric controller owns. */
export function isFabricLabel(key: string): boolean {
  return key.includes(FABRIC_LABEL_MARK);
}

class Collector {
  readonly problems: ValidationProblem[] = [];
  readonly warnings: ValidationProblem[] = [];
  constructor(private readonly doc: SourceDocument, private readonly what: string) {}
  private p(field: string, message: string): ValidationProblem {
    return { file: documentRef(this.doc), line: this.doc.line, field, message: this.what === '' ? message : `${this.what}: ${message}` };
  }
  error(field: string, message: string): void { this.problems.push(this.p(field, message)); }
  warn(field: string, message: string): void { this.warnings.push(this.p(field, message)); }
}

function stringMap(c: Collector, v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = asObject(v);
  if (o === undefined) {
    c.error(field, `must be a map of strings, got ${describe(v)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === 'string') out[k] = val;
    else c.error(at(field, k), `must be a string, got ${describe(val)}`);
  }
  return out;
}

function checkName(c: Collector, kind: FabricKindName, name: string): void {
  if (!isDns1123Subdomain(name)) {
    c.error('metadata.name', `'${name}' is not a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric)`);
  }
  if (SHORT_NAME_KINDS.includes(kind) && name.length > SHORT_NAME_MAX) {
    c.error('metadata.name', `'${name}' is ${name.length} characters; ${kind} names are at most ${SHORT_NAME_MAX}`);
  }
}

function metadataOf(c: Collector, kind: FabricKindName, raw: unknown): KubeObject['metadata'] | undefined {
  const md = asObject(raw);
  if (md === undefined) {
    c.error('metadata', 'is required');
    return undefined;
  }
  const name = asString(md.name);
  if (name === undefined || name === '') {
    c.error('metadata.name', 'is required');
    return undefined;
  }
  checkName(c, kind, name);
  const ns = md.namespace;
  if (ns !== undefined && ns !== null && ns !== FABRIC_NAMESPACE) c.error('metadata.namespace', `must be ${FABRIC_NAMESPACE} (or absent), got ${describe(ns)}`);
  for (const k of Object.keys(md)) {
    if (SERVER_SET_METADATA.includes(k)) c.warn(at('metadata', k), 'is set by the API server; ignored');
    else if (!ALLOWED_METADATA.includes(k)) c.error(at('metadata', k), `is not supported (allowed: ${ALLOWED_METADATA.join(', ')})`);
  }
  const metadata: KubeObject['metadata'] = { name, namespace: FABRIC_NAMESPACE };
  const labels = stringMap(c, md.labels, 'metadata.labels');
  if (labels !== undefined) {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      if (isFabricLabel(k)) c.warn(at('metadata.labels', k), 'is owned by the fabric controller (it rewrites fabric.githedgehog.com/ labels); not applied');
      else kept[k] = v;
    }
    if (Object.keys(kept).length > 0) metadata.labels = kept;
  }
  const annotations = stringMap(c, md.annotations, 'metadata.annotations');
  if (annotations !== undefined && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return metadata;
}

function classifyOne(fabric: Fabric, doc: SourceDocument): { object?: FabricObject; c: Collector } {
  const raw = asObject(doc.value);
  const kind = raw === undefined ? undefined : fabricKindOf(raw.apiVersion, raw.kind);
  if (raw === undefined || kind === undefined) {
    const c = new Collector(doc, '');
    const what = raw === undefined ? describe(doc.value) : `${describe(raw.apiVersion)} ${describe(raw.kind)}`;
    const msg = `document ${what} is not one of the fabric kinds kontract manages`;
    if (fabric.unknownDocuments === 'error') c.error('', `${msg} (unknownDocuments: error)`);
    else c.warn('', `${msg}; skipped`);
    return { c };
  }
  const c = new Collector(doc, `${kind} ${asString(asObject(raw.metadata)?.name) ?? '?'}`);
  if (!fabric.kinds.includes(kind)) {
    c.warn('kind', `${kind} is not enabled for fabric ${fabric.name} (kinds); skipped`);
    return { c };
  }
  const metadata = metadataOf(c, kind, raw.metadata);
  for (const k of Object.keys(raw)) {
    if (k === 'status') c.warn('status', 'is written by the fabric controller; ignored');
    else if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) c.error(k, 'unknown top-level field');
  }
  if (raw.spec !== undefined && raw.spec !== null && asObject(raw.spec) === undefined) c.error('spec', `must be an object, got ${describe(raw.spec)}`);
  if (metadata === undefined) return { c };
  const object: KubeObject = { apiVersion: raw.apiVersion as string, kind, metadata };
  const spec = asObject(raw.spec);
  if (spec !== undefined) {
    object.spec = structuredClone(spec);
    normalizeFabricObject(kind, object);
  }
  return { object: { doc, kind, object }, c };
}

/** Classifies every document of one fabric. Empty documents are skipped silently. */
export function classifyDocuments(fabric: Fabric, docs: readonly SourceDocument[]): ClassifyResult {
  const objects: FabricObject[] = [];
  const problems: ValidationProblem[] = [];
  const warnings: ValidationProblem[] = [];
  for (const doc of docs) {
    if (doc.value === null || doc.value === undefined) continue;
    const r = classifyOne(fabric, doc);
    if (r.object !== undefined) objects.push(r.object);
    problems.push(...r.c.problems);
    warnings.push(...r.c.warnings);
  }
  return { objects, problems, warnings };
}
