/**
 * Loading a kubeconfig from an explicit path or a `KUBECONFIG`-style list, merged the way kubectl
 * merges one: files in order, empty entries and missing files skipped, the first file to define a
 * cluster, user or context name wins, `current-context` from the first file that sets it; relative
 * paths inside a file resolve against that file's directory. `~/.kube/config` is never implied.
 */
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster as KcCluster, Context as KcContext, User as KcUser } from '@kubernetes/client-node';

/** Splits a `KUBECONFIG`-style list (`:` on POSIX), dropping empty entries; relative to `base`. */
export function kubeconfigList(value: string, base: string): string[] {
  return value.split(delimiter).filter((p) => p !== '').map((p) => (isAbsolute(p) ? p : resolve(base, p)));
}

function firstWins<T extends { readonly name: string }>(lists: readonly (readonly T[])[]): T[] {
  const out = new Map<string, T>();
  for (const list of lists) for (const x of list) if (!out.has(x.name)) out.set(x.name, x);
  return [...out.values()];
}

/**
 * Loads and merges `files`. Throws when none of them exists or one cannot be parsed (the message
 * names the file). A single file is loaded as is.
 */
export function loadKubeconfigFiles(files: readonly string[]): KubeConfig {
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) throw new Error(`no such file: ${files.join(delimiter)}`);
  const loaded = present.map((f) => {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(f);
    } catch (e) {
      throw new Error(`${f}: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`);
    }
    return kc;
  });
  const [first] = loaded;
  if (loaded.length === 1 && first !== undefined) return first;
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstWins<KcCluster>(loaded.map((k) => k.getClusters())),
    users: firstWins<KcUser>(loaded.map((k) => k.getUsers())),
    contexts: firstWins<KcContext>(loaded.map((k) => k.getContexts())),
    currentContext: loaded.map((k) => k.getCurrentContext()).find((c) => c !== '' && c !== undefined) ?? '',
  });
  return merged;
}
