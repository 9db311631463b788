/**
 * qontract's `openshiftResources` (on a namespace, or in a `/openshift/shared-resources-1.yml`
 * file a namespace lists under `sharedResources`): each entry is read and, for the providers that
 * need no secret, rendered here, so that `validate` and `run` report the same data problems before
 * any cluster is contacted.
 *
 * - `resource`: the file `path` of the app-interface's resources (`<root>/resources/<path>`), one
 *   YAML document; `validate_json: true` checks that every value of its `data` is JSON.
 * - `resource-template`: the same file rendered as a Jinja2 template with nunjucks (`type: jinja2`,
 *   the default, or `extracurlyjinja2` with `{{{ }}}`, `{{% %}}`, `{{# #}}`), with qontract's
 *   variables: the entry's `variables` plus `resource` (the entry itself) whose `namespace` is the
 *   namespace (`name`, `path`, `labels`, `cluster {name, serverUrl, labels}`, `environment {name,
 *   parameters}`). An undefined variable is an error (Jinja2's StrictUndefined, as in qontract).
 * - `route`: a `resource` whose `spec.tls` is filled from a secret later (the integration reads it).
 * - `vault-secret`: a Secret built from a secret later (the integration reads it).
 *
 * The manifest's `metadata.namespace`, when set, must be the datafile's namespace; it is set to it
 * otherwise. Problems name the namespace file (or shared-resources file), the field
 * (`openshiftResources[i]`) and, for templates, the template path and line.
 */
import * as yaml from 'js-yaml';
import nunjucks from 'nunjucks';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject } from '../core/k8s-object.js';

/** Where a resource entry is declared (errors). */
export interface ResourceOrigin {
  /** Datafile declaring the entry: the namespace file or a shared-resources file. */
  readonly file: string;
  /** `openshiftResources[2]`. */
  readonly field: string;
}

export type NamespaceResource =
  | {
    readonly provider: 'resource' | 'resource-template' | 'route';
    readonly origin: ResourceOrigin;
    /** The resources path (`/app/deploy.yml`). */
    readonly path: string;
    /** The manifest as rendered, with `metadata.namespace` set. */
    readonly object: KubeObject;
    /** `route` only: the secret holding the TLS fields. */
    readonly tls?: { readonly path: string; readonly version: number };
  }
  | {
    readonly provider: 'vault-secret';
    readonly origin: ResourceOrigin;
    /** Secret path in the secret reader (Vault or the config file). */
    readonly path: string;
    readonly version: number;
    /** The Secret's name (default: the last path segment). */
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly type: string;
  };

/** What a template sees of its namespace as `resource.namespace` (qontract's namespace query). */
export interface TemplateNamespace {
  readonly name: string;
  readonly path: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly delete: boolean;
  readonly clusterAdmin: boolean;
  readonly managedResourceTypes: readonly string[];
  readonly cluster: { readonly name: string; readonly serverUrl: string; readonly labels: Readonly<Record<string, string>> };
  readonly environment: { readonly name: string; readonly parameters: string | null };
}

export const PROVIDERS = ['resource', 'resource-template', 'vault-secret', 'route'] as const;
const TEMPLATE_TYPES = ['jinja2', 'extracurlyjinja2'] as const;
type TemplateType = (typeof TEMPLATE_TYPES)[number];

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return undefined;
    out[k] = x;
  }
  return out;
}

const ENVS = new Map<TemplateType, nunjucks.Environment>();

/**
 * The nunjucks environment of a template type: autoescape off, undefined values are errors, and
 * the filters qontract adds that can work without IO (json_to_dict, yaml_to_dict, urlescape,
 * urlunescape) plus Jinja2's tojson and b64encode.
 */
export function templateEnvironment(type: TemplateType): nunjucks.Environment {
  let env = ENVS.get(type);
  if (env !== undefined) return env;
  const tags = type === 'extracurlyjinja2'
    ? { blockStart: '{{%', blockEnd: '%}}', variableStart: '{{{', variableEnd: '}}}', commentStart: '{{#', commentEnd: '#}}' }
    : undefined;
  // Jinja2 (Python) methods and slices: `d.items()`, `s.startswith(x)`, `l[1:]`.
  nunjucks.installJinjaCompat();
  env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, ...(tags === undefined ? {} : { tags }) });
  env.addFilter('json_to_dict', (s: string) => JSON.parse(s) as unknown);
  env.addFilter('yaml_to_dict', (s: string) => yaml.load(s));
  env.addFilter('urlescape', (s: string, safe: string = '/') => encodeURIComponent(s).replace(/%2F/g, safe.includes('/') ? '/' : '%2F'));
  env.addFilter('urlunescape', (s: string) => decodeURIComponent(s));
  env.addFilter('tojson', (v: unknown) => new nunjucks.runtime.SafeString(JSON.stringify(v)));
  env.addFilter('format', (f: string, ...args: unknown[]) => {
    let i = 0;
    return f.replace(/%[sd]/g, () => String(args[i++]));
  });
  env.addFilter('unique', (l: readonly unknown[]) => [...new Set(l)]);
  env.addFilter('b64encode', (s: unknown) => Buffer.from(String(s), 'utf8').toString('base64'));
  ENVS.set(type, env);
  return env;
}

/**
 * nunjucks reports `[Line N, Column M]` (1-based) in its messages; an undefined value is reported
 * without its name, so the expression is quoted from the template at that position.
 */
function templateError(e: unknown, body: string): { line?: number; message: string } {
  const raw = e instanceof Error ? e.message : String(e);
  const m = /\[Line (\d+), Column (\d+)\]/.exec(raw);
  const cause = raw.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Template render error') && !l.startsWith('(unknown path)')).join(' ');
  let message = cause.replace(/^Error: /, '').replace(/^\(unknown path\)\s*/, '').replace(/^\[Line \d+, Column \d+\]\s*/, '');
  if (m?.[1] === undefined) return { message };
  const line = Number(m[1]);
  if (message.startsWith('attempted to output null or undefined value')) {
    const text = body.split('\n')[line - 1] ?? '';
    const expr = /^[^}]*/.exec(text.slice(Math.max(0, Number(m[2]) - 1)))?.[0].trim().replace(/^[{]+\s*/, '');
    message = expr === undefined || expr === '' ? 'undefined variable' : `undefined variable in \`${expr}\``;
  }
  return { line, message };
}

/** Renders a Jinja2 template (qontract's resource-template). Throws {line?, message}. */
export function renderTemplate(body: string, type: TemplateType, vars: Readonly<Record<string, unknown>>): string {
  try {
    const out = templateEnvironment(type).renderString(body, { ...vars });
    // Jinja2 drops one trailing newline (keep_trailing_newline=False); nunjucks keeps it.
    return out.endsWith('\n') ? out.slice(0, -1) : out;
  } catch (e) {
    throw Object.assign(new Error('template'), { detail: templateError(e, body) });
  }
}

interface Reader {
  readonly origin: ResourceOrigin;
  readonly problems: ValidationProblem[];
}

function problem(r: Reader, field: string, message: string): void {
  r.problems.push({ file: r.origin.file, field: field === '' ? r.origin.field : `${r.origin.field}.${field}`, message });
}

/** Parses one manifest (after rendering) and pins it to the namespace. */
function manifest(r: Reader, path: string, text: string, namespace: string, what: string): KubeObject | undefined {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? String(e);
    problem(r, 'path', `${what} ${path}${mark?.line === undefined ? '' : ` line ${mark.line + 1}`}: invalid YAML: ${reason}`);
    return undefined;
  }
  if (!isObj(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' || !isObj(doc.metadata) || typeof doc.metadata.name !== 'string') {
    problem(r, 'path', `${what} ${path}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    return undefined;
  }
  const body: Record<string, unknown> = { ...doc };
  delete body.$schema;
  const metadata = doc.metadata;
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    problem(r, 'path', `${what} ${path}: ${doc.kind} ${doc.metadata.name} has metadata.namespace ${JSON.stringify(metadata.namespace)}, but the datafile's namespace is ${namespace}`);
    return undefined;
  }
  return { ...(body as unknown as KubeObject), metadata: { ...(metadata as KubeObject['metadata']), namespace } };
}

function parseVariables(r: Reader, v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return {};
  if (isObj(v)) return v;
  if (typeof v === 'string') {
    // qontract's GraphQL carries `variables` as a JSON string.
    try {
      const parsed = JSON.parse(v) as unknown;
      if (isObj(parsed)) return parsed;
    } catch { /* reported below */ }
  }
  problem(r, 'variables', 'must be an object (or a JSON object string)');
  return undefined;
}

export interface ReadResourcesInput {
  readonly entries: unknown;
  readonly origin: { readonly file: string; readonly field: string };
  readonly namespace: TemplateNamespace;
  /** A resource file by qontract path (`/app/deploy.yml`). */
  readonly resource: (path: string) => string | undefined;
}

/** Reads and renders one `openshiftResources` list. */
export function readOpenshiftResources(input: ReadResourcesInput): { resources: NamespaceResource[]; problems: ValidationProblem[] } {
  const problems: ValidationProblem[] = [];
  const resources: NamespaceResource[] = [];
  if (input.entries === undefined || input.entries === null) return { resources, problems };
  if (!Array.isArray(input.entries)) {
    problems.push({ file: input.origin.file, field: input.origin.field, message: 'must be a list' });
    return { resources, problems };
  }
  for (const [i, e] of input.entries.entries()) {
    const r: Reader = { origin: { file: input.origin.file, field: `${input.origin.field}[${i}]` }, problems };
    if (!isObj(e)) {
      problem(r, '', 'must be an object');
      continue;
    }
    const provider = PROVIDERS.find((p) => p === e.provider);
    if (provider === undefined) {
      problem(r, 'provider', `unknown provider ${JSON.stringify(e.provider)} (kontract supports ${PROVIDERS.join(', ')})`);
      continue;
    }
    const path = e.path;
    if (typeof path !== 'string' || path === '') {
      problem(r, 'path', 'is required');
      continue;
    }
    if (provider === 'vault-secret') {
      const version = e.version;
      const labels = stringMap(e.labels);
      const annotations = stringMap(e.annotations);
      if (typeof version !== 'number' || !Number.isInteger(version)) problem(r, 'version', 'must be an integer');
      if (labels === undefined) problem(r, 'labels', 'must map strings to strings');
      if (annotations === undefined) problem(r, 'annotations', 'must map strings to strings');
      if (e.name !== undefined && typeof e.name !== 'string') problem(r, 'name', 'must be a string');
      if (e.type !== undefined && typeof e.type !== 'string') problem(r, 'type', 'must be a string');
      if (typeof version !== 'number' || labels === undefined || annotations === undefined) continue;
      resources.push({
        provider, origin: r.origin, path, version,
        name: typeof e.name === 'string' ? e.name : path.split('/').filter((s) => s !== '').at(-1) ?? path,
        labels, annotations, type: typeof e.type === 'string' ? e.type : 'Opaque',
      });
      continue;
    }
    const text = input.resource(path);
    if (text === undefined) {
      problem(r, 'path', `resource ${path} not found (resources live under the app-interface's resources/ directory)`);
      continue;
    }
    let rendered = text;
    if (provider === 'resource-template') {
      const type = e.type ?? 'jinja2';
      if (typeof type !== 'string' || !(TEMPLATE_TYPES as readonly string[]).includes(type)) {
        problem(r, 'type', `unknown template type ${JSON.stringify(type)} (jinja2 or extracurlyjinja2)`);
        continue;
      }
      const variables = parseVariables(r, e.variables);
      if (variables === undefined) continue;
      const self = { ...e, variables: e.variables ?? null, namespace: input.namespace };
      try {
        rendered = renderTemplate(text, type as TemplateType, { ...variables, resource: self });
      } catch (err) {
        const d = (err as { detail?: { line?: number; message: string } }).detail ?? { message: String(err) };
        problem(r, 'path', `template ${path}${d.line === undefined ? '' : ` line ${d.line}`}: ${d.message}`);
        continue;
      }
    }
    const what = provider === 'resource-template' ? 'template' : 'resource';
    const object = manifest(r, path, rendered, input.namespace.name, what);
    if (object === undefined) continue;
    if (provider === 'resource' && e.validate_json === true) {
      const data = isObj(object.data) ? object.data : {};
      const bad = Object.entries(data).filter(([, v]) => {
        try {
          JSON.parse(String(v));
          return false;
        } catch {
          return true;
        }
      }).map(([k]) => k);
      if (bad.length > 0) {
        problem(r, 'validate_json', `resource ${path}: invalid JSON under data.${bad.join(', data.')}`);
        continue;
      }
    }
    if (provider === 'route') {
      const tp = e.vault_tls_secret_path;
      const tv = e.vault_tls_secret_version;
      if ((tp === undefined) !== (tv === undefined) || (tp !== undefined && (typeof tp !== 'string' || typeof tv !== 'number'))) {
        problem(r, 'vault_tls_secret_path', 'vault_tls_secret_path (string) and vault_tls_secret_version (integer) go together');
        continue;
      }
      resources.push({ provider, origin: r.origin, path, object, ...(typeof tp === 'string' && typeof tv === 'number' ? { tls: { path: tp, version: tv } } : {}) });
      continue;
    }
    resources.push({ provider, origin: r.origin, path, object });
  }
  return { resources, problems };
}
