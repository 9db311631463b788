/**
 * Metric exporters: node_exporter textfile (atomic rename), Pushgateway, and a /metrics endpoint
 * for loop mode.
 */
import { rename, writeFile, unlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { Pushgateway } from 'prom-client';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import { identityLabels } from './run-metrics.js';
import type { RunIdentity, RunMetrics } from './run-metrics.js';

/** Writes the metrics for node_exporter's textfile collector: temp file in the same dir, then rename. */
export async function writeMetricsFile(metrics: RunMetrics, path: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, await metrics.text(), { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new KontractError(ERROR_CODES.METRICS, `cannot write metrics file ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

/**
 * Grouping key of one run: job `kontract`, label `integrations=<a,b>` (sorted), plus `shard`,
 * `shards` and `mode` (dry-run | server-dry-run | wet) when the metrics carry a run identity.
 */
export function pushGrouping(integrations: readonly string[], identity?: RunIdentity): Record<string, string> {
  return { integrations: [...integrations].sort().join(','), ...(identity === undefined ? {} : identityLabels(identity)) };
}

/** Replaces this run's group on the Pushgateway (PUT). */
export async function pushMetrics(metrics: RunMetrics, url: string, integrations: readonly string[]): Promise<void> {
  const gw = new Pushgateway(url, { timeout: 10_000 }, metrics.registry);
  try {
    const { resp } = await gw.push({ jobName: 'kontract', groupings: pushGrouping(integrations, metrics.identity) });
    const status = (resp as { statusCode?: number } | undefined)?.statusCode;
    if (status !== undefined && (status < 200 || status >= 300)) throw new Error(`HTTP ${status}`);
  } catch (e) {
    throw new KontractError(ERROR_CODES.METRICS, `cannot push metrics to ${url}: ${errorMessage(e)}`, { cause: e });
  }
}

/** Serves GET /metrics on 127.0.0.1-or-all:port until closed. Resolves once listening. */
export function serveMetrics(metrics: RunMetrics, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?') === true)) {
      metrics.text().then((body) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(body);
      }, (e: unknown) => {
        res.writeHead(500);
        res.end(errorMessage(e));
      });
      return;
    }
    res.writeHead(404);
    res.end('not found\n');
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', (e) => { reject(new KontractError(ERROR_CODES.METRICS, `cannot listen on port ${port} for /metrics: ${errorMessage(e)}`, { cause: e })); });
    server.listen(port, host, () => { resolvePromise(server); });
  });
}
