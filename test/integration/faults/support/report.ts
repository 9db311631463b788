/**
 * The fault table of docs/reliability.md. Each case records one row; afterAll of each file writes
 * its rows as Markdown to stderr and, when KONTRACT_FAULTS_REPORT names a file, appends them there
 * (the figures in the docs come from such a run).
 */
import { appendFileSync } from 'node:fs';

export interface FaultRow {
  readonly fault: string;
  readonly kontract: string;
  /** desired objects missing after the next run */
  readonly lost: number;
  readonly unownedTouched: number;
  /** exit code of the run that met the fault (or the signal) */
  readonly exit: string;
  /** wall time of the run that met the fault, s */
  readonly faultRunSeconds: number;
  /** wall time of the next, converging run, s (undefined: none needed) */
  readonly convergeSeconds?: number;
}

export function markdownRow(r: FaultRow): string {
  const conv = r.convergeSeconds === undefined ? '–' : `${r.convergeSeconds.toFixed(1)} s`;
  return `| ${r.fault} | ${r.kontract} | ${r.lost} / ${r.unownedTouched} | ${r.exit} | ${r.faultRunSeconds.toFixed(1)} s | ${conv} |`;
}

export const TABLE_HEADER = [
  '| fault | what kontract did | objects lost / unowned touched | exit | fault run | next run converged in |',
  '|---|---|---|---|---|---|',
];

export class FaultReport {
  private readonly rows: FaultRow[] = [];
  add(row: FaultRow): void {
    this.rows.push(row);
  }
  flush(): void {
    if (this.rows.length === 0) return;
    const text = `${this.rows.map(markdownRow).join('\n')}\n`;
    process.stderr.write(`\n${TABLE_HEADER.join('\n')}\n${text}`);
    const file = process.env.KONTRACT_FAULTS_REPORT;
    if (file !== undefined && file !== '') appendFileSync(file, text);
  }
}
