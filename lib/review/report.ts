import { EnvironmentReview, ObjectChange, ReviewWarning } from './model';
import { describe } from './objects';
import { showValue } from './rules';

export interface ReportOptions {
  /** What the synthesis was compared with, e.g. `HEAD's dist/`. */
  readonly base: string;
  /** List the changed fields of each changed object (`npm run diff`); synth lists objects only. */
  readonly fields: boolean;
}

const MARK: Record<ObjectChange['type'], string> = { added: '+', removed: '-', changed: '~' };

function objectLine(c: ObjectChange): string {
  const o = c.type === 'added' ? c.after : c.before;
  return `    ${MARK[c.type]} ${describe(o)}  (${o.file})`;
}

function count(r: EnvironmentReview, type: ObjectChange['type']): number {
  return r.changes.filter((c) => c.type === type).length;
}

function headline(r: EnvironmentReview): string {
  const counts = `${count(r, 'added')} added, ${count(r, 'changed')} changed, ${count(r, 'removed')} removed`;
  if (r.isNew) return `  ${r.env}: new environment, not in the base (${counts})`;
  if (r.isRemoved) return `  ${r.env}: no longer configured (${counts})`;
  if (r.changes.length === 0 && r.otherFiles.length === 0) return `  ${r.env}: no change`;
  return `  ${r.env}: ${counts}`;
}

/** The per-environment summary: objects by kind/namespace/name, and with `fields` each changed field. */
export function formatSummary(reviews: readonly EnvironmentReview[], options: ReportOptions): string[] {
  const lines = [`Change review against ${options.base}:`];
  for (const r of reviews) {
    lines.push(headline(r));
    for (const c of r.changes) {
      lines.push(objectLine(c));
      if (options.fields && c.type === 'changed') {
        for (const f of c.fields) lines.push(`        ${f.path}: ${showValue(f.before)} -> ${showValue(f.after)}`);
      }
    }
    if (r.otherFiles.length > 0) lines.push(`    files: ${r.otherFiles.join(', ')}`);
  }
  return lines;
}

const WIDTH = 110;
const BAR = '!'.repeat(WIDTH);

/** Word-wraps `text` after `first` to WIDTH columns, continuing lines with `rest`. */
function wrap(first: string, rest: string, text: string): string[] {
  const lines: string[] = [];
  let line = first;
  // Commands in backticks stay on one line, so that they can be copied.
  for (const word of text.match(/[^\s`]*`[^`]*`\S*|\S+/g) ?? []) {
    if (line.length + word.length + 1 > WIDTH && line.trim() !== first.trim() && line !== rest) {
      lines.push(line);
      line = rest;
    }
    line += line === first || line === rest ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** One loud block per warning: what, why, what to do. */
export function formatWarning(w: ReviewWarning): string[] {
  const title = w.level === 'blocking' ? 'BLOCKING (the sync fails or data is lost)' : 'ACTION NEEDED';
  return [
    BAR,
    `!!! ${title}: ${w.env}: ${w.subject}`,
    ...wrap('!!! ', '!!!   ', `${w.subject} ${w.problem}`),
    ...wrap('!!! What to do: ', '!!!   ', w.action),
    BAR,
  ];
}

export function formatVerdict(reviews: readonly EnvironmentReview[]): string {
  const all = reviews.flatMap((r) => r.warnings);
  const blocking = all.filter((w) => w.level === 'blocking').length;
  const caution = all.length - blocking;
  if (all.length === 0) return 'Review: nothing Argo CD cannot apply, no data at risk.';
  return `Review: ${blocking} blocking change${blocking === 1 ? '' : 's'}, ${caution} needing action; follow each "What to do" before pressing Sync.`;
}
