/**
 * The test suite's own stand-in for KubeVirt's virt-api subresources (`subresources.kubevirt.io/v1`),
 * which cannot run on the local clusters: a small HTTPS server registered with the cluster's
 * kube-apiserver through an APIService, so kontract's requests go to the real apiserver, which
 * proxies them here (kube-aggregator). It records every call it receives and answers like
 * virt-api (pkg/virt-api/rest/lifecycle.go of kubevirt/kubevirt): `pause` / `unpause` of a VMI
 * (200; 409 when the VMI is not Running, already paused / not paused; 403 when pausing a VMI
 * with a liveness probe other than guestAgentPing; 404 when absent) and
 * `restart` of a VM (202; 409 for runStrategy Halted or Once and when no VMI runs). Its effects
 * go through the real apiserver too: pause sets the VMI's `Paused` condition, unpause removes it, restart clears the VM's `RestartRequired` condition and the
 * VMI's `Paused` one (what the VM controller's new VMI would show).
 *
 * Routing: the APIService points at a Service of type ExternalName `127.0.0.1` with the server's
 * port (the aggregator dials `https://<externalName>:<port>` and verifies the certificate for
 * `<service>.<namespace>.svc`), with the server's self-signed certificate (made with the
 * `openssl` CLI) as `caBundle`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { ApiException, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { kubeConfigFor } from './clusters.js';

export const SUBRESOURCES_GROUP = 'subresources.kubevirt.io';
const APISERVICE = `v1.${SUBRESOURCES_GROUP}`;
const SERVICE = { namespace: 'default', name: 'kontract-test-virt-api' } as const;

export interface SubresourceCall {
  readonly method: string;
  readonly path: string;
  readonly namespace: string;
  /** `virtualmachineinstances` or `virtualmachines`. */
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
  /** The user the apiserver authenticated (X-Remote-User). */
  readonly user: string | undefined;
  /** The HTTP status answered. */
  readonly status: number;
}

export interface VirtApiStandIn {
  readonly port: number;
  /** Every subresource call received, in order (discovery requests are not recorded). */
  readonly calls: readonly SubresourceCall[];
  /** Calls as `<subresource> <namespace>/<name> <status>`. */
  summary(namespace?: string): string[];
  clear(): void;
  /** Deletes the APIService and Service and stops the server. */
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const RESOURCES = ['virtualmachineinstances/pause', 'virtualmachineinstances/unpause', 'virtualmachines/restart'];

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function conditions(o: Obj | undefined): Obj[] {
  const s = o?.status;
  return isObj(s) && Array.isArray(s.conditions) ? s.conditions.filter(isObj) : [];
}

function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kontract-virt-api-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${SERVICE.name}.${SERVICE.namespace}.svc`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the stand-in and registers it in `cluster`; resolves once the APIService is Available. */
export async function startVirtApiStandIn(cluster: string): Promise<VirtApiStandIn> {
  const kc = kubeConfigFor(cluster);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const calls: SubresourceCall[] = [];
  const vmi = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances' };
  const vm = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines' };

  const get = async (ref: typeof vm, namespace: string, name: string): Promise<Obj | undefined> => {
    try {
      return await objects.getNamespacedCustomObject({ ...ref, namespace, name }) as Obj;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  };
  // The VM CRD has a status subresource; the VMI CRD has none (its status is written with the object).
  const putStatus = async (ref: typeof vm, namespace: string, name: string, body: Obj): Promise<void> => {
    if (ref === vm) await objects.replaceNamespacedCustomObjectStatus({ ...ref, namespace, name, body });
    else await objects.replaceNamespacedCustomObject({ ...ref, namespace, name, body });
  };
  const withConditions = (o: Obj, keep: (c: Obj) => boolean, add: Obj[]): Obj => {
    const s = isObj(o.status) ? o.status : {};
    return { ...o, status: { ...s, conditions: [...conditions(o).filter(keep), ...add] } };
  };

  /** The virt-api behaviour of one subresource call: [status, body]. */
  const handle = async (namespace: string, resource: string, name: string, subresource: string): Promise<[number, string]> => {
    if (resource === 'virtualmachineinstances' && (subresource === 'pause' || subresource === 'unpause')) {
      const o = await get(vmi, namespace, name);
      if (o === undefined) return [404, status(404, 'NotFound', `virtualmachineinstance.kubevirt.io "${name}" not found`)];
      const phase = isObj(o.status) ? o.status.phase : undefined;
      if (phase !== 'Running') return [409, status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is not running`)];
      const paused = conditions(o).some((c) => c.type === 'Paused' && c.status === 'True');
      const probe = isObj(o.spec) ? o.spec.livenessProbe : undefined;
      if (subresource === 'pause' && isObj(probe) && probe.guestAgentPing === undefined) {
        return [403, status(403, 'Forbidden', `virtualmachineinstance.kubevirt.io "${name}" is forbidden: Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported`)];
      }
      if (subresource === 'pause' && paused) return [409, status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is already paused`)];
      if (subresource === 'unpause' && !paused) return [409, status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is not paused`)];
      const next = subresource === 'pause'
        ? withConditions(o, (c) => c.type !== 'Paused', [{ type: 'Paused', status: 'True', reason: 'PausedByUser', message: 'VMI was paused by user', lastTransitionTime: new Date().toISOString() }])
        : withConditions(o, (c) => c.type !== 'Paused', []);
      await putStatus(vmi, namespace, name, next);
      return [200, ''];
    }
    if (resource === 'virtualmachines' && subresource === 'restart') {
      const o = await get(vm, namespace, name);
      if (o === undefined) return [404, status(404, 'NotFound', `virtualmachine.kubevirt.io "${name}" not found`)];
      const strategy = isObj(o.spec) ? o.spec.runStrategy : undefined;
      if (strategy === 'Halted' || strategy === 'Once') return [409, status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": RunStategy ${strategy} does not support manual restart requests`)];
      const instance = await get(vmi, namespace, name);
      if (instance === undefined) return [409, status(409, 'Conflict', `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": VM is not running: Halted`)];
      if (conditions(o).some((c) => c.type === 'RestartRequired')) await putStatus(vm, namespace, name, withConditions(o, (c) => c.type !== 'RestartRequired', []));
      if (conditions(instance).some((c) => c.type === 'Paused')) await putStatus(vmi, namespace, name, withConditions(instance, (c) => c.type !== 'Paused', []));
      return [202, ''];
    }
    return [404, status(404, 'NotFound', `the server could not find the requested resource (${resource}/${subresource})`)];
  };

  const { key, cert } = selfSigned();
  const prefix = `/apis/${SUBRESOURCES_GROUP}/v1`;
  const route = /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/(virtualmachineinstances|virtualmachines)\/([^/]+)\/([^/?]+)$/;
  const server = https.createServer({ key, cert }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (code: number, body: string): void => {
      res.writeHead(code, body === '' ? {} : { 'Content-Type': 'application/json' });
      res.end(body);
    };
    if (req.method === 'GET' && (path === prefix || path === `${prefix}/`)) {
      send(200, JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${SUBRESOURCES_GROUP}/v1`, resources: RESOURCES.map((name) => ({ name, namespaced: true, kind: '', verbs: [] })) }));
      return;
    }
    if (req.method === 'GET' && (path === '/apis' || path === `/apis/${SUBRESOURCES_GROUP}`)) {
      const group = { name: SUBRESOURCES_GROUP, versions: [{ groupVersion: `${SUBRESOURCES_GROUP}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${SUBRESOURCES_GROUP}/v1`, version: 'v1' } };
      send(200, JSON.stringify(path === '/apis' ? { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] } : { kind: 'APIGroup', apiVersion: 'v1', ...group }));
      return;
    }
    const m = route.exec(path);
    if (req.method !== 'PUT' || m === null) {
      send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const [, namespace = '', resource = '', name = '', subresource = ''] = m;
    const user = req.headers['x-remote-user'];
    void readBody(req)
      .then(() => handle(namespace, resource, name, subresource))
      .then(([code, body]) => {
        calls.push({ method: 'PUT', path, namespace, resource, name, subresource, user: typeof user === 'string' ? user : undefined, status: code });
        send(code, body);
      }, (e: unknown) => {
        calls.push({ method: 'PUT', path, namespace, resource, name, subresource, user: typeof user === 'string' ? user : undefined, status: 500 });
        send(500, status(500, 'InternalError', e instanceof Error ? e.message : String(e)));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const api = KubernetesObjectApi.makeApiClient(kc);
  const apiService: KubeObject = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: APISERVICE } };
  const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { ...SERVICE } };
  const unregister = async (): Promise<void> => {
    for (const o of [apiService, service]) {
      try {
        await api.delete(o);
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 404)) throw e;
      }
    }
  };
  await unregister();
  await api.create({ ...service, spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ port, protocol: 'TCP' }] } });
  await api.create({
    ...apiService,
    spec: {
      group: SUBRESOURCES_GROUP, version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15,
      service: { ...SERVICE, port }, caBundle: Buffer.from(cert, 'utf8').toString('base64'),
    },
  });
  const t0 = Date.now();
  for (;;) {
    const a: KubeObject = await api.read({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: APISERVICE } });
    const available = conditions(a).find((c) => c.type === 'Available');
    if (available?.status === 'True') break;
    if (Date.now() - t0 > 60_000) throw new Error(`APIService ${APISERVICE} on ${cluster} not Available after 60 s: ${JSON.stringify(available ?? {})}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    port,
    calls,
    summary: (namespace) => calls.filter((c) => namespace === undefined || c.namespace === namespace).map((c) => `${c.subresource} ${c.namespace}/${c.name} ${c.status}`),
    clear: () => { calls.length = 0; },
    close: async () => {
      await unregister();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); });
    },
  };
}
