/**
 * The benchmark's minimal HTTP/1.1 LIST (the LIST floors of bench.ts and e2e-floors.ts): the pages
 * of one paginated, label-selected LIST over a keep-alive agent, each body collected and
 * JSON-parsed, nothing else — no retries, no type stamping, no inventory. Only node builtins, so
 * the e2e floor still loads nothing of kontract.
 */
import * as https from 'node:https';

export interface RawListTarget {
  readonly server: string;
  readonly token: string;
  readonly agent: https.Agent;
}

/**
 * Every page of `path?labelSelector=…&limit=500`; resolves the pages read and the items seen.
 * `onItems` (the compare floor of bench.ts) sees each page's parsed items.
 */
export async function rawListAll(t: RawListTarget, path: string, labelSelector: string, onItems?: (items: unknown[]) => void): Promise<{ pages: number; items: number }> {
  let cont = '';
  let pages = 0;
  let items = 0;
  do {
    const q = new URLSearchParams({ labelSelector, limit: '500', ...(cont === '' ? {} : { continue: cont }) });
    const body = await new Promise<string>((res, rej) => {
      https.get(`${t.server}${path}?${q.toString()}`, { agent: t.agent, headers: { Authorization: `Bearer ${t.token}`, Accept: 'application/json' } }, (resp) => {
        const chunks: Buffer[] = [];
        resp.on('data', (d: Buffer) => chunks.push(d));
        resp.on('end', () => { res(Buffer.concat(chunks).toString('utf8')); });
        resp.on('error', rej);
      }).on('error', rej);
    });
    pages++;
    const parsed = JSON.parse(body) as { items?: unknown[]; metadata?: { continue?: string } };
    items += parsed.items?.length ?? 0;
    if (onItems !== undefined && parsed.items !== undefined) onItems(parsed.items);
    cont = parsed.metadata?.continue ?? '';
  } while (cont !== '');
  return { pages, items };
}
