/**
 * Cross-file rules over the assembled model. Each rule is a small named pure function returning
 * problems `{file, field, message}` (the loader adds the line from the YAML positions). Add a rule
 * by writing a function and listing it in RULES.
 */
import type { ValidationProblem } from '../core/errors.js';
import { parseQuantity } from '../core/quantity.js';
import type { AppInterfaceData, Labels } from './model.js';
import { DNS1123_LABEL_MAX, isDns1123Label } from '../core/k8s-names.js';
import type { VirtualMachineData } from './kubevirt/vm-model.js';
import { allVirtualMachines, vmField } from './kubevirt/vapps.js';
import { vdcNetworkRules } from './tenancy/network.js';

export type Rule = (data: AppInterfaceData) => ValidationProblem[];

function dnsLabelProblem(name: string): string | undefined {
  if (name.length > DNS1123_LABEL_MAX) return `"${name}" is longer than 63 characters (DNS-1123 label)`;
  if (!isDns1123Label(name)) return `"${name}" is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}

/** Cluster, namespace, tenant, quota and limit range names become Kubernetes names or labels. */
export const namesAreDnsLabels: Rule = (data) => {
  const out: ValidationProblem[] = [];
  const check = (file: string, field: string, name: string): void => {
    const m = dnsLabelProblem(name);
    if (m !== undefined) out.push({ file, field, message: m });
  };
  for (const c of data.clusters) check(c.path, 'name', c.name);
  for (const n of data.namespaces) check(n.path, 'name', n.name);
  for (const t of data.tenants) check(t.path, 'name', t.name);
  for (const q of data.quotas) q.quotas.forEach((e, i) => { check(q.path, `quotas[${i}].name`, e.name); });
  for (const l of data.limitRanges) check(l.path, 'name', l.name);
  return out;
};

function duplicates<T>(items: readonly T[], key: (t: T) => string, report: (t: T, first: T) => ValidationProblem): ValidationProblem[] {
  const seen = new Map<string, T>();
  const out: ValidationProblem[] = [];
  for (const t of items) {
    const k = key(t);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, t);
    else out.push(report(t, first));
  }
  return out;
}

export const uniqueClusterNames: Rule = (data) =>
  duplicates(data.clusters, (c) => c.name, (c, first) => ({ file: c.path, field: 'name', message: `cluster name "${c.name}" is already used by ${first.path}` }));

export const uniqueNamespacesPerCluster: Rule = (data) =>
  duplicates(data.namespaces, (n) => `${n.cluster}/${n.name}`, (n, first) => ({
    file: n.path, field: 'name', message: `namespace "${n.name}" is declared twice on cluster ${n.cluster} (also ${first.path})`,
  }));

export const uniqueTenantNames: Rule = (data) =>
  duplicates(data.tenants, (t) => t.name, (t, first) => ({ file: t.path, field: 'name', message: `tenant name "${t.name}" is already used by ${first.path}` }));

export const uniqueOrgUsernames: Rule = (data) =>
  duplicates(data.users, (u) => u.orgUsername, (u, first) => ({ file: u.path, field: 'org_username', message: `org_username "${u.orgUsername}" is already used by ${first.path}` }));

export const networkPoliciesAllowSameCluster: Rule = (data) => {
  const out: ValidationProblem[] = [];
  for (const n of data.namespaces) {
    n.networkPoliciesAllow.forEach((a, i) => {
      const field = `networkPoliciesAllow[${i}]`;
      if (a.cluster !== n.cluster) {
        out.push({ file: n.path, field, message: `${a.path} is on cluster ${a.cluster}, not ${n.cluster}: network policies only allow namespaces of the same cluster` });
      } else if (a.path === n.path) {
        out.push({ file: n.path, field, message: 'a namespace cannot list itself (traffic from the same namespace is always allowed)' });
      }
    });
  }
  return out;
};

/** A namespace's `quota` (qontract) and its kontract settings' `quotaComponents` cannot both apply. */
export const quotaExclusive: Rule = (data) => {
  const settingsOf = new Map((data.namespaceSettings ?? []).map((s) => [s.namespace, s.path]));
  return data.namespaces
    .filter((n) => n.quota !== undefined && n.quotaComponents !== undefined)
    .map((n) => ({ file: settingsOf.get(n.path) ?? n.path, field: 'quotaComponents', message: `quota and quotaComponents are mutually exclusive: ${n.path} has a quota, so use one of them` }));
};

function quantityProblems(file: string, field: string, m: Labels | undefined): ValidationProblem[] {
  if (m === undefined) return [];
  return Object.entries(m)
    .filter(([, v]) => parseQuantity(v) === undefined)
    .map(([k, v]) => ({ file, field: `${field}.${k}`, message: `"${v}" is not a Kubernetes quantity (e.g. 500m, 2, 1.5Gi)` }));
}

export const quantitiesParse: Rule = (data) => {
  const out: ValidationProblem[] = [];
  for (const q of data.quotas) {
    q.quotas.forEach((e, i) => {
      const base = `quotas[${i}].resources`;
      out.push(...quantityProblems(q.path, `${base}.limits`, e.resources.limits), ...quantityProblems(q.path, `${base}.requests`, e.resources.requests));
    });
  }
  for (const l of data.limitRanges) {
    l.limits.forEach((item, i) => {
      for (const k of ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'] as const) {
        out.push(...quantityProblems(l.path, `limits[${i}].${k}`, item[k]));
      }
    });
  }
  return out;
};

/**
 * A VM may use a template from a catalog of its namespace's organisation (tenant) or from a shared
 * catalog. A template in no catalog stays visible to everyone.
 */
export const templateVisibility: Rule = (data) => {
  const out: ValidationProblem[] = [];
  const catalogs = data.catalogs ?? [];
  for (const vm of allVirtualMachines(data)) {
    const holding = catalogs.filter((c) => c.templates.includes(vm.template));
    if (holding.length === 0 || holding.some((c) => c.shared)) continue;
    const tenant = data.namespaces.find((n) => n.path === vm.namespace)?.tenant;
    if (holding.some((c) => c.organisation === tenant)) continue;
    const owners = holding.map((c) => `${c.name} (${c.organisation})`).join(', ');
    out.push({
      file: vm.path,
      field: vmField(vm, 'template'),
      message: `${vm.template} is only in catalogs of other organisations that are not shared: ${owners}; the VM's namespace belongs to ${tenant ?? 'no organisation'}`,
    });
  }
  return out;
};

/**
 * A VM of a vApp is declared once in its namespace: not by two vApps, nor by a vApp and a VM
 * datafile (two VM datafiles alike are the virtual-machines integration's blocked unit).
 */
export const vappVmsDeclaredOnce: Rule = (data) => {
  const out: ValidationProblem[] = [];
  if ((data.vapps ?? []).length === 0) return out;
  const namespaces = new Map(data.namespaces.map((n) => [n.path, n]));
  const seen = new Map<string, VirtualMachineData>();
  const where = (vm: VirtualMachineData): string => (vm.vapp === undefined ? vm.path : `${vm.path} (vApp ${vm.vapp.name}, ${vm.vapp.field})`);
  for (const vm of allVirtualMachines(data)) {
    const ns = namespaces.get(vm.namespace);
    if (ns === undefined) continue;
    const key = `${ns.cluster}/${ns.name}/${vm.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, vm);
      continue;
    }
    if (vm.vapp === undefined && first.vapp === undefined) continue;
    out.push({ file: vm.path, field: vmField(vm, 'name'), message: `VM ${vm.name} in namespace ${ns.name} on cluster ${ns.cluster} is already declared by ${where(first)}: a VM belongs to one vApp` });
  }
  return out;
};

export const RULES: readonly { readonly name: string; readonly rule: Rule }[] = [
  { name: 'names-are-dns-labels', rule: namesAreDnsLabels },
  { name: 'unique-cluster-names', rule: uniqueClusterNames },
  { name: 'unique-namespaces-per-cluster', rule: uniqueNamespacesPerCluster },
  { name: 'unique-tenant-names', rule: uniqueTenantNames },
  { name: 'unique-org-usernames', rule: uniqueOrgUsernames },
  { name: 'network-policies-allow-same-cluster', rule: networkPoliciesAllowSameCluster },
  { name: 'quota-exclusive', rule: quotaExclusive },
  { name: 'quantities-parse', rule: quantitiesParse },
  { name: 'template-visibility', rule: templateVisibility },
  { name: 'vapp-vms-declared-once', rule: vappVmsDeclaredOnce },
  { name: 'vdc-networks', rule: vdcNetworkRules },
];
