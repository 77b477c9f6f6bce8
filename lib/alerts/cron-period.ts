/**
 * The longest time between two runs of a 5-field cron schedule (as the CronJob controller reads
 * it: robfig/cron standard parser, day-of-month and day-of-week OR-ed when both are restricted).
 * "No successful run for longer than this plus a margin" is the staleness rule of the backup alerts.
 */
const FIELDS = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

function value(text: string, f: (typeof FIELDS)[number]): number {
  if (/^\d+$/.test(text)) return Number(text);
  const names: readonly string[] = 'names' in f ? f.names : [];
  const i = names.indexOf(text.toLowerCase());
  if (i < 0) throw new Error(`cron value "${text}" is not valid`);
  return f.min + i;
}

/** The values one field matches, and whether it was `*` (for the day-of-month/day-of-week rule). */
function expand(text: string, f: (typeof FIELDS)[number]): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number = f.min;
    let to: number = f.max;
    if (range === '*' || range === '?') {
      if (stepText === undefined) star = true;
    } else {
      const [a, b] = range.split('-');
      from = value(a, f);
      to = b === undefined ? (stepText === undefined ? from : f.max) : value(b, f);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, star };
}

/** Seconds of the longest gap between consecutive runs over a year (leap day and month ends included). */
export function longestCronGapSeconds(schedule: string): number {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron schedule "${schedule}" has ${parts.length} fields, not 5`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => expand(p, FIELDS[i]));
  const dayMatches = (d: Date): boolean => {
    const byDom = dom.values.has(d.getUTCDate());
    const byDow = dow.values.has(d.getUTCDay());
    if (dom.star || dow.star) return (dom.star || byDom) && (dow.star || byDow);
    return byDom || byDow;
  };
  // Four years from a leap year: every calendar case; runs are read minute by minute only on matching days.
  const start = Date.UTC(2028, 0, 1);
  const end = Date.UTC(2032, 0, 1);
  let first: number | undefined;
  let previous: number | undefined;
  let longest = 0;
  for (let day = start; day < end; day += 86_400_000) {
    const d = new Date(day);
    if (!month.values.has(d.getUTCMonth() + 1) || !dayMatches(d)) continue;
    for (const h of [...hour.values].sort((a, b) => a - b)) {
      for (const m of [...minute.values].sort((a, b) => a - b)) {
        const t = day + (h * 60 + m) * 60_000;
        if (previous !== undefined) longest = Math.max(longest, t - previous);
        first ??= t;
        previous = t;
      }
    }
  }
  if (first === undefined || previous === undefined) throw new Error(`cron schedule "${schedule}" never runs`);
  // The gap across the end of the span wraps to the start (same calendar four years on).
  longest = Math.max(longest, first + (end - start) - previous);
  return longest / 1000;
}
