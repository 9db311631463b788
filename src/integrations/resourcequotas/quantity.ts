/**
 * Just enough of Kubernetes resource quantities for the resourcequotas integration: parsing to
 * compare (downscaling never raises a declared value) and formatting Waldur-style components.
 */

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const BINARY_SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** The value of a quantity in base units (cores, bytes, count), or undefined when malformed. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = QUANTITY.exec(q.trim());
  if (m === null) return undefined;
  const [, num, suffix, exponent] = m;
  const base = Number(num);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  const s = suffix ?? '';
  const factor = BINARY_SUFFIX[s] ?? DECIMAL_SUFFIX[s];
  return factor === undefined ? undefined : base * factor;
}

/** CPU cores as a quantity: whole cores as `N`, fractions in millicores (`1500m`). */
export function formatCores(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Gigabytes (treated as GiB, as Waldur does) as a quantity: `NGi`, fractions in `Mi`. */
export function formatGiB(gb: number): string {
  const mib = Math.round(gb * 1024);
  if (mib === 0) return '0';
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}
