/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource) with exact arithmetic.
 *
 * Grammar (from quantity.go):
 *   <quantity>  ::= <sign><number><suffix>
 *   <number>    ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>    ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
 *                 | e<signed integer> | E<signed integer>
 *
 * A value is held as an exact rational (BigInt numerator / denominator), so `1Gi` = `1024Mi`,
 * `0.5` = `500m` and `1e3` = `1k` compare equal without floating-point error. The one quantity
 * module of kontract: the planner (canonicalisation), the datafile checks, the integrations and
 * the workload inventory all parse and compare quantities here.
 */

/** An exact quantity value: num / den, den > 0, reduced. */
export interface QuantityValue {
  readonly num: bigint;
  readonly den: bigint;
  /** The suffix family the value was written in; the canonical form keeps it like the API server. */
  readonly format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
}

const BINARY_EXP: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXP: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX_BY_EXP = new Map<number, string>(Object.entries(DECIMAL_EXP).map(([s, e]) => [e, s]));

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTP]|E(?![+-]?\d)|[eE][+-]?\d+)?$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduce(num: bigint, den: bigint, format: QuantityValue['format']): QuantityValue {
  const g = gcd(num, den);
  return g <= 1n ? { num, den, format } : { num: num / g, den: den / g, format };
}

/** Scale num/den by 10^exp exactly. */
function scale10(num: bigint, den: bigint, exp: number): [bigint, bigint] {
  return exp >= 0 ? [num * 10n ** BigInt(exp), den] : [num, den * 10n ** BigInt(-exp)];
}

/**
 * Parses a quantity string or a JSON number (`cpu: 2`). Returns undefined when the input is not a
 * valid Kubernetes quantity (empty, `1.2.3`, `1KB`, `Gi`, `1 Gi`, NaN, …).
 */
export function parseQuantity(input: string | number): QuantityValue | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    // String() gives `1e+21` for large numbers; the grammar accepts that exponent form.
    text = String(input);
  } else {
    text = input;
  }
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const [, sign = '', intPart = '', fracPart, suffix = ''] = m;
  const frac = fracPart ?? '';
  if (intPart === '' && frac === '') return undefined;
  let num = BigInt(`${intPart}${frac}` === '' ? '0' : `${intPart}${frac}`);
  if (sign === '-') num = -num;
  let den = 10n ** BigInt(frac.length);
  const bin = BINARY_EXP[suffix];
  if (bin !== undefined) return reduce(num * 2n ** bin, den, 'BinarySI');
  const dec = DECIMAL_EXP[suffix];
  if (dec !== undefined) {
    [num, den] = scale10(num, den, dec);
    return reduce(num, den, 'DecimalSI');
  }
  // e/E exponent
  const exp = Number(suffix.slice(1));
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) return undefined;
  [num, den] = scale10(num, den, exp);
  return reduce(num, den, 'DecimalExponent');
}

/** True when both are valid quantities with the same exact value. Invalid input never equals. */
export function quantityValuesEqual(a: QuantityValue, b: QuantityValue): boolean {
  return a.num * b.den === b.num * a.den;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`, exactly. */
export function compareQuantityValues(a: QuantityValue, b: QuantityValue): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** True when the text (or JSON number) is a valid Kubernetes quantity. */
export function isQuantity(input: string | number): boolean {
  return parseQuantity(input) !== undefined;
}

/** True when the quantity is greater than zero. */
export function isPositiveQuantity(q: QuantityValue): boolean {
  return q.num > 0n;
}

/** Rounds up (away from zero like the API server) to nano precision: returns value × 10^9. */
function toNanos(q: QuantityValue): bigint {
  const n = q.num * 1_000_000_000n;
  const whole = n / q.den;
  if (whole * q.den === n) return whole;
  return n > 0n ? whole + 1n : whole - 1n;
}

function formatDecimal(nanos: bigint, exponentForm: boolean): string {
  if (nanos === 0n) return '0';
  const neg = nanos < 0n;
  let mantissa = neg ? -nanos : nanos;
  let exp = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  // The exponent must be a multiple of 3 (k, M, …); keep digits in the mantissa otherwise.
  const exp3 = Math.floor(exp / 3) * 3;
  mantissa *= 10n ** BigInt(exp - exp3);
  let suffix: string;
  if (exponentForm) {
    suffix = exp3 === 0 ? '' : `e${exp3}`;
  } else if (exp3 > 18) {
    mantissa *= 10n ** BigInt(exp3 - 18);
    suffix = 'E';
  } else {
    suffix = DECIMAL_SUFFIX_BY_EXP.get(exp3) ?? '';
  }
  return `${neg ? '-' : ''}${mantissa.toString()}${suffix}`;
}

/**
 * The canonical string the API server would store for this value: `1000m` → `1`, `0.5` → `500m`,
 * `1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`, `1000` → `1k`. Precision beyond nano is rounded up.
 */
export function formatQuantity(q: QuantityValue): string {
  const nanos = toNanos(q);
  if (q.format === 'BinarySI' && nanos % 1_000_000_000n === 0n) {
    const units = nanos / 1_000_000_000n;
    const abs = units < 0n ? -units : units;
    if (abs >= 1024n) {
      let value = units;
      let i = 0;
      const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
      while (i < 6 && value % 1024n === 0n) {
        value /= 1024n;
        i++;
      }
      return `${value.toString()}${suffixes[i] ?? ''}`;
    }
  }
  return formatDecimal(nanos, q.format === 'DecimalExponent');
}

/**
 * Bounded memo of canonicalQuantity by input text: the same few values (`1Gi`, `500m`, `10`) recur
 * on thousands of objects. Cleared when full, so memory stays bounded whatever the input.
 */
const CANONICAL_CACHE = new Map<string, string | null>();
const CANONICAL_CACHE_MAX = 4096;

/** The canonical form of a quantity string/number, or undefined when it does not parse. */
export function canonicalQuantity(input: string | number): string | undefined {
  // parseQuantity reads a number as String(number), so the text is a complete cache key.
  const key = typeof input === 'number' ? String(input) : input;
  const hit = CANONICAL_CACHE.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const q = parseQuantity(input);
  const out = q === undefined ? undefined : formatQuantity(q);
  if (CANONICAL_CACHE.size >= CANONICAL_CACHE_MAX) CANONICAL_CACHE.clear();
  CANONICAL_CACHE.set(key, out ?? null);
  return out;
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
