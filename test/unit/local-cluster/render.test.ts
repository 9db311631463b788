import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  apiserverArgs, controllerManagerArgs, etcdArgs, etcdPrefix, renderKubeconfig, renderTokensCsv, validateClusterNames,
} from '../../../src/local-cluster/render.js';
import { clusterNames } from '../../../src/cli/commands/local-clusters.js';
import { isKontractError } from '../../../src/core/errors.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isKontractError(e) ? e.code : 'not a KontractError';
  }
}

describe(renderTokensCsv, () => {
  it('puts admin in system:masters and alice in no group', () => {
    expect(renderTokensCsv({ adminToken: 'aaa111', restrictedToken: 'bbb222' })).toBe(
      'aaa111,admin,uid-admin,"system:masters"\nbbb222,alice,uid-alice\n',
    );
  });

  it('refuses a token that would break the CSV', () => {
    expect(codeOf(() => renderTokensCsv({ adminToken: 'a,b', restrictedToken: 'c' }))).toBe('E_INTERNAL');
  });
});

describe(renderKubeconfig, () => {
  const clusters = [
    { name: 'prod-1', server: 'https://127.0.0.1:6443', caPem: CA, adminToken: 'tok-admin-1', restrictedToken: 'tok-alice-1' },
    { name: 'dev-1', server: 'https://127.0.0.1:7443', caPem: CA, adminToken: 'tok-admin-2', restrictedToken: 'tok-alice-2' },
  ];

  it('has an admin context <name> and a restricted context <name>-alice per cluster, tokens and CA inline', () => {
    const kc = new KubeConfig();
    kc.loadFromString(renderKubeconfig(clusters));

    expect(kc.getContexts().map((c) => c.name)).toEqual(['prod-1', 'prod-1-alice', 'dev-1', 'dev-1-alice']);
    expect(kc.getCurrentContext()).toBe('prod-1');
    kc.setCurrentContext('dev-1-alice');
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:7443');
    expect(kc.getCurrentUser()?.token).toBe('tok-alice-2');
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8')).toBe(CA);
    kc.setCurrentContext('prod-1');
    expect(kc.getCurrentUser()?.token).toBe('tok-admin-1');
    expect(kc.getContextObject('prod-1')?.namespace).toBe('default');
  });

  it('refuses an empty cluster list', () => {
    expect(codeOf(() => renderKubeconfig([]))).toBe('E_INTERNAL');
  });
});

describe(validateClusterNames, () => {
  it.each([
    [['prod-1', 'prod-2', 'dev-1'], undefined],
    [[], 'E_USAGE'],
    [['Prod'], 'E_USAGE'],
    [['a/b'], 'E_USAGE'],
    [['prod-1', 'prod-1'], 'E_USAGE'],
    [['x-alice'], 'E_USAGE'],
  ])('accepts or refuses %j', (names, code) => {
    expect(codeOf(() => { validateClusterNames(names); })).toBe(code);
  });
});

describe('command lines', () => {
  it('gives each apiserver its own etcd prefix, token file and loopback-only serving', () => {
    const args = apiserverArgs({ cluster: 'prod-2', etcdClientPort: 2379, securePort: 6443, certDir: '/d/pki', tokensFile: '/d/tokens.csv', serviceAccountKeyFile: '/d/sa.key' });
    expect(args).toEqual(expect.arrayContaining([
      '--etcd-servers=http://127.0.0.1:2379', '--etcd-prefix=/prod-2/registry', '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      '--secure-port=6443', '--endpoint-reconciler-type=none', '--cert-dir=/d/pki', '--token-auth-file=/d/tokens.csv',
      '--authorization-mode=RBAC', '--service-account-key-file=/d/sa.key', '--service-account-signing-key-file=/d/sa.key',
      '--disable-admission-plugins=ServiceAccount',
    ]));
    expect(args.some((a) => a.startsWith('--tls-cert-file'))).toBe(false);
  });

  it('never lets one etcd prefix be a string prefix of another', () => {
    expect(etcdPrefix('c10').startsWith(etcdPrefix('c1'))).toBe(false);
  });

  it('runs only the namespace and garbage-collector controllers without a serving port', () => {
    expect(controllerManagerArgs('/d/kubeconfig')).toEqual(expect.arrayContaining([
      '--kubeconfig=/d/kubeconfig', '--controllers=namespace-controller,garbage-collector-controller,resourcequota-controller,clusterrole-aggregation-controller', '--leader-elect=false', '--secure-port=0',
    ]));
  });

  it('binds etcd to loopback on the given ports', () => {
    const args = etcdArgs({ dataDir: '/d/etcd', clientPort: 1, peerPort: 2 });
    expect(args).toContain('--listen-client-urls=http://127.0.0.1:1');
    expect(args).toContain('--listen-peer-urls=http://127.0.0.1:2');
  });
});

describe(clusterNames, () => {
  it.each([
    [undefined, undefined, ['prod-1', 'prod-2', 'dev-1']],
    [undefined, 1, ['prod-1']],
    [undefined, 5, ['prod-1', 'prod-2', 'dev-1', 'dev-2', 'dev-3']],
    ['a, b', undefined, ['a', 'b']],
    ['a,b', 2, ['a', 'b']],
  ])('names=%j count=%j gives %j', (names, count, want) => {
    expect(clusterNames(names, count)).toEqual(want);
  });

  it('refuses a --count that disagrees with --names', () => {
    expect(codeOf(() => clusterNames('a,b', 3))).toBe('E_USAGE');
  });
});
