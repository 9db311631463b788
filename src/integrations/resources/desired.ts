/**
 * Desired objects of the `resources` integration (qontract's openshift-resources): every
 * namespace's `openshiftResources` and those of its `sharedResources` files, already read and
 * rendered by the data layer (src/app-interface/openshift-resources.ts). Here the secrets are read
 * (vault-secret, Route TLS), and each object is checked against the namespace's
 * `managedResourceTypes` (after `managedResourceTypeOverrides`) and `managedResourceNames`.
 *
 * The kinds are the data's: each namespace's managed types are DesiredState.dynamicKinds, which the
 * engine resolves per cluster through API discovery and LISTs once per (cluster, kind); `manages`
 * limits ownership to the namespaces (and names) whose data lists the kind, so an owned object of
 * a kind or namespace outside them is never touched.
 */
import type { AppInterfaceData, Namespace } from '../../app-interface/model.js';
import type { NamespaceResource } from '../../app-interface/openshift-resources.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { SecretReader } from '../../core/secret-reader.js';
import type { DesiredObject, DesiredState, DynamicKind } from '../define-integration.js';
import { externalNamespaces, managedNamespaces } from '../tenant-namespaces.js';

export const RESOURCES_INTEGRATION = 'resources';

/** qontract: a vault-secret key ending in `_qb64` holds base64 already (the suffix is dropped). */
const BASE64_SUFFIX = '_qb64';
/** qontract's rule for Secret data keys. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** The Route `spec.tls` fields a TLS secret may set (qontract's list). */
const ROUTE_TLS_KEYS = ['termination', 'insecureEdgeTerminationPolicy', 'certificate', 'key', 'caCertificate', 'destinationCACertificate'];

/** A managed type as written (`Deployment`, `Deployment.apps`) split into kind and optional group. */
interface ManagedType {
  readonly type: string;
  readonly kind: string;
  readonly group?: string;
  /** managedResourceNames of this type; undefined = all names. */
  readonly names?: ReadonlySet<string>;
}

function splitType(type: string): { kind: string; group?: string } {
  const i = type.indexOf('.');
  return i < 0 ? { kind: type } : { kind: type.slice(0, i), group: type.slice(i + 1) };
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The namespace's managed types, overrides applied (`Deployment` → `Deployment.apps`). */
export function managedTypes(ns: Namespace): ManagedType[] {
  const overrides = new Map((ns.managedResourceTypeOverrides ?? []).map((o) => [o.resource, o.override]));
  const names = new Map((ns.managedResourceNames ?? []).map((m) => [m.resource, new Set(m.resourceNames)]));
  return (ns.managedResourceTypes ?? []).map((written) => {
    const type = overrides.get(written) ?? written;
    const restricted = names.get(written) ?? names.get(type);
    return { type, ...splitType(type), ...(restricted === undefined ? {} : { names: restricted }) };
  });
}

/** The managed type an object (kind + group) falls under; a bare `Kind` type matches any group. */
function typeFor(types: readonly ManagedType[], kind: string, group: string): ManagedType | undefined {
  return types.find((t) => t.kind === kind && (t.group === undefined || t.group === group));
}

/** kindKey (`Kind` or `Kind.group`) → kind and group. */
function splitKindKey(key: string): { kind: string; group: string } {
  const i = key.indexOf('.');
  return i < 0 ? { kind: key, group: '' } : { kind: key.slice(0, i), group: key.slice(i + 1) };
}

function encodeSecretData(raw: Readonly<Record<string, string>>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.toLowerCase().endsWith(BASE64_SUFFIX)) data[k.slice(0, -BASE64_SUFFIX.length)] = v.replace(/\n/g, '');
    else data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  return data;
}

/** Whether building the entry reads a secret (vault-secret, or a Route with a TLS secret path). */
function needsSecret(r: NamespaceResource): boolean {
  return r.provider === 'vault-secret' || (r.provider === 'route' && r.tls !== undefined);
}

/**
 * How a problem names an object. Built only for a problem: this string built for every object was
 * the largest share of desiredResources' loop in a 10,000-object no-op profile (docs/benchmarks.md
 * "listcpu").
 */
function whatOf(o: KubeObject, r: NamespaceResource): string {
  return `${o.kind} ${o.metadata.name} (${r.provider} ${r.path})`;
}

/**
 * Kind → group → name → the entry that first built that object in a namespace (its origin is
 * named only on a duplicate). Maps of the object's own strings rather than one `Kind.group/name`
 * key string per object: that string was the largest share of desiredResources' loop in a
 * 10,000-object no-op profile (docs/benchmarks.md "listcpu").
 */
type SeenObjects = Map<string, Map<string, Map<string, NamespaceResource>>>;

/** The entry that already built (kind, group, name), or undefined after recording `r` as the first. */
function firstBuilt(seen: SeenObjects, kind: string, group: string, name: string, r: NamespaceResource): NamespaceResource | undefined {
  let byGroup = seen.get(kind);
  if (byGroup === undefined) {
    byGroup = new Map();
    seen.set(kind, byGroup);
  }
  let byName = byGroup.get(group);
  if (byName === undefined) {
    byName = new Map();
    byGroup.set(group, byName);
  }
  const before = byName.get(name);
  if (before === undefined) byName.set(name, r);
  return before;
}

type Built = { object: KubeObject } | { problem: string; field?: string } | { unread: { kind: string; name: string; secret: string } };

async function buildOne(r: NamespaceResource, ns: Namespace, secrets: SecretReader | undefined): Promise<Built> {
  if (r.provider === 'resource' || r.provider === 'resource-template') return { object: r.object };
  if (secrets === undefined && r.provider === 'vault-secret') return { unread: { kind: 'Secret', name: r.name, secret: r.path } };
  if (secrets === undefined && r.provider === 'route' && r.tls !== undefined) return { unread: { kind: 'Route', name: r.object.metadata.name, secret: r.tls.path } };
  if (r.provider === 'route') {
    if (r.tls === undefined || secrets === undefined) return { object: r.object };
    const tlsRef = r.tls;
    let raw: Readonly<Record<string, string>>;
    try {
      raw = await secrets.readAll({ path: tlsRef.path, version: tlsRef.version });
    } catch (e) {
      return { problem: errorMessage(e), field: 'vault_tls_secret_path' };
    }
    const spec = typeof r.object.spec === 'object' && r.object.spec !== null ? r.object.spec as Record<string, unknown> : {};
    const tls = { ...(typeof spec.tls === 'object' && spec.tls !== null ? spec.tls as Record<string, unknown> : {}) };
    for (const k of ROUTE_TLS_KEYS) if (raw[k] !== undefined) tls[k] = raw[k];
    return { object: { ...r.object, spec: { ...spec, tls } } };
  }
  if (r.provider !== 'vault-secret' || secrets === undefined) return { problem: 'no secret reader' };
  let raw: Readonly<Record<string, string>>;
  try {
    raw = await secrets.readAll({ path: r.path, version: r.version });
  } catch (e) {
    return { problem: errorMessage(e), field: 'path' };
  }
  const badKeys = Object.keys(raw).filter((k) => !SECRET_KEY.test(k));
  if (badKeys.length > 0) return { problem: `secret ${r.path}: ${badKeys.map((k) => JSON.stringify(k)).join(', ')} is not a valid Secret key (letters, digits, '-', '_', '.')`, field: 'path' };
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: r.type,
      metadata: {
        name: r.name, namespace: ns.name,
        ...(Object.keys(r.labels).length > 0 ? { labels: { ...r.labels } } : {}),
        ...(Object.keys(r.annotations).length > 0 ? { annotations: { ...r.annotations } } : {}),
      },
      data: encodeSecretData(raw),
    },
  };
}

export async function desiredResources(data: AppInterfaceData, secrets: SecretReader | undefined): Promise<DesiredState> {
  const objects: DesiredObject[] = [];
  const problems: ValidationProblem[] = [];
  const dynamicKinds: DynamicKind[] = [];
  const warnings: ValidationProblem[] = [];
  /** `cluster/namespace/Kind/name` of objects not built for want of a secret reader: left alone. */
  const unread = new Set<string>();
  const seenTypes = new Set<string>();
  /** `cluster/namespace` → managed types. */
  const managed = new Map<string, ManagedType[]>();
  for (const ns of managedNamespaces(data, RESOURCES_INTEGRATION)) {
    // A namespace takes part only when its document has openshiftResources or sharedResources.
    if (ns.openshiftResources === undefined) continue;
    const types = managedTypes(ns);
    managed.set(`${ns.cluster}/${ns.name}`, types);
    for (const t of types) {
      if (seenTypes.has(`${ns.cluster}\0${t.type}`)) continue;
      seenTypes.add(`${ns.cluster}\0${t.type}`);
      dynamicKinds.push({ cluster: ns.cluster, type: t.type, source: ns.path });
    }
    const resources = ns.openshiftResources;
    // Manifests and templates need no secret: built without a promise each (most entries, and a
    // promise per entry was a measurable share of a 10,000-object no-op, docs/benchmarks.md).
    const built = resources.some(needsSecret)
      ? await Promise.all(resources.map((r) => buildOne(r, ns, secrets)))
      : resources.map((r): Built => (r.provider === 'vault-secret' ? { problem: 'no secret reader' } : { object: r.object }));
    const seen: SeenObjects = new Map();
    for (let i = 0; i < built.length; i++) {
      const b = built[i];
      const r = resources[i];
      if (r === undefined || b === undefined) continue;
      const field = (f?: string): string => (f === undefined ? r.origin.field : `${r.origin.field}.${f}`);
      if ('unread' in b) {
        // No secret reader (e.g. `validate`, or a run without --secrets-config / --vault-server):
        // the object is neither built nor touched (not created, updated or deleted).
        unread.add(`${ns.cluster}/${ns.name}/${b.unread.kind}/${b.unread.name}`);
        warnings.push({ file: r.origin.file, field: field('path'), message: `${b.unread.kind} ${b.unread.name} of namespace ${ns.path} needs secret ${b.unread.secret}, and no secret reader is configured (--secrets-config or --vault-server): left as it is` });
        continue;
      }
      if ('problem' in b) {
        problems.push({ file: r.origin.file, field: field(b.field), message: `namespace ${ns.path}: ${b.problem}` });
        continue;
      }
      const o = b.object;
      const group = groupOf(o.apiVersion);
      const type = typeFor(types, o.kind, group);
      if (type === undefined) {
        problems.push({ file: r.origin.file, field: field('path'), message: `${whatOf(o, r)}: kind ${group === '' ? o.kind : `${o.kind}.${group}`} is not in managedResourceTypes of namespace ${ns.path}` });
        continue;
      }
      if (type.names !== undefined && !type.names.has(o.metadata.name)) {
        problems.push({ file: r.origin.file, field: field('path'), message: `${whatOf(o, r)}: not among managedResourceNames of ${type.type} in namespace ${ns.path}` });
        continue;
      }
      const before = firstBuilt(seen, o.kind, group, o.metadata.name, r);
      if (before !== undefined) {
        problems.push({ file: r.origin.file, field: field('path'), message: `${whatOf(o, r)}: namespace ${ns.path} already has this object from ${before.origin.file} ${before.origin.field}` });
        continue;
      }
      objects.push({ cluster: ns.cluster, object: o, source: r.origin.file === ns.path ? ns.path : `${ns.path} (${r.origin.file})` });
    }
  }
  // Called for every listed object of every managed kind: the kind key is split once per kind
  // and the namespace's types found without building a key string per object.
  const byCluster = new Map<string, Map<string, ManagedType[]>>();
  for (const [key, types] of managed) {
    const i = key.indexOf('/');
    const cluster = key.slice(0, i);
    const inner = byCluster.get(cluster) ?? new Map<string, ManagedType[]>();
    inner.set(key.slice(i + 1), types);
    byCluster.set(cluster, inner);
  }
  const kindKeys = new Map<string, { kind: string; group: string }>();
  const manages = (cluster: string, kind: string, obj: KubeObject): boolean => {
    const ns = obj.metadata.namespace ?? '';
    const types = byCluster.get(cluster)?.get(ns);
    if (types === undefined) return false;
    let k = kindKeys.get(kind);
    if (k === undefined) {
      k = splitKindKey(kind);
      kindKeys.set(kind, k);
    }
    if (unread.size > 0 && unread.has(`${cluster}/${ns}/${k.kind}/${obj.metadata.name}`)) return false;
    const t = typeFor(types, k.kind, k.group);
    return t !== undefined && (t.names === undefined || t.names.has(obj.metadata.name));
  };
  return { objects, problems, dynamicKinds, manages, excludedNamespaces: externalNamespaces(data), ...(warnings.length === 0 ? {} : { warnings }) };
}
