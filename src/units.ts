/** Human units as scenario files and command lines write them: durations ("90s", "30m", "24h", "7d") and sizes ("1280x720"). */

const DURATION_UNITS: Record<string, number> = {
  ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86400, day: 86400, w: 604800,
};

/**
 * A decimal number as a person writes one ("12", "-0.5", "1e3", surrounding spaces allowed), else NaN. Number()
 * also reads 0x10, 0b101, 0o17 and "" (as 0), which no one means in a count, a time or a CSV cell.
 */
export function parseDecimal(v: string): number {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(v) ? Number(v) : NaN;
}

/**
 * Seconds from a number (already seconds) or a string like "1.5h", "90s", "1h30m". Returns undefined if malformed
 * or not finite — never NaN: "1..5", "1.0.0" or "." are not numbers (a NaN bound would compare false and pass).
 */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (s === '') return undefined;
  if (/^[0-9.]+(e[+-]?[0-9]+)?$/.test(s)) {
    const n = parseDecimal(s);
    return Number.isFinite(n) ? n : undefined;
  }
  const re = /([0-9]*\.?[0-9]+)\s*(ms|sec|s|min|m|hr|h|day|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    if (!Number.isFinite(total)) return undefined;
    pos = re.lastIndex;
    while (s[pos] === ' ') pos++;
  }
  return total;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} us`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** "1280x720" → {width: 1280, height: 720}; also accepts "720p"/"480p" shorthands (Wan's landscape sizes). */
export function parseResolution(v: unknown): { width: number; height: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  const named: Record<string, [number, number]> = { '480p': [832, 480], '720p': [1280, 720], '704p': [1280, 704] };
  const n = named[s];
  if (n) return { width: n[0], height: n[1] };
  const m = /^(\d+)\s*[x*×]\s*(\d+)$/.exec(s);
  if (!m) return undefined;
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * Parses an arrival rate: "120/h", "120/hour", "2/min", "0.05/s" or a bare number (per hour). Returns arrivals per
 * hour, or undefined when the text is not a rate.
 */
export function parseRate(text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(?:\/\s*(h|hr|hour|m|min|minute|s|sec|second|d|day))?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  const unit = (m[2] ?? 'h').toLowerCase();
  const perHour = unit.startsWith('h') ? 1 : unit.startsWith('m') ? 60 : unit.startsWith('s') ? 3600 : 1 / 24;
  return v * perHour;
}

/** Parses "10e6", "10M", "$2.5m", "500k", "1,000,000" as US dollars. */
export function parseMoney(text: string): number | undefined {
  const m = /^\s*\$?\s*([0-9][0-9,]*\.?[0-9]*(?:e[+-]?\d+)?)\s*([kmb])?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]!.replace(/,/g, '')) * ({ k: 1e3, m: 1e6, b: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'b'] ?? 1);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * A whole number with thousands separators, as toLocaleString('en-US') writes it ("100,000,000"), without
 * Intl: its first use loads ICU's data (~30 ms), which the schemas' messages paid at import for every
 * command and library user. Anything but a safe integer goes to toLocaleString.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 || Object.is(n, -0) ? `-${out}` : out; // toLocaleString writes -0 as "-0"
}
