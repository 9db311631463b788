/** Reads kontract's --metrics-file (Prometheus text format) for request counts. */
import { readFileSync } from 'node:fs';

/** Sum of `kontract_api_requests_total` samples whose labels contain every given label. */
export function requestsSent(file: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('kontract_api_requests_total{')) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
