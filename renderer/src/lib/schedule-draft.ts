/**
 * The schedule form's logic without the form: the draft a user edits (strings where they type),
 * how a schedule becomes a draft and back, validation with the contract's own schema (one
 * sentence per field), and where a server error belongs. Pure, unit tested from Node.
 */
import { ScheduleFields, type AppError, type Schedule } from '../../../contract/index.ts';
import { overridesDraft, overridesOf, type OverridesDraft } from './run-overrides-draft.ts';

export const DAYS = [
  { n: 1, short: 'Mon', long: 'Monday' },
  { n: 2, short: 'Tue', long: 'Tuesday' },
  { n: 3, short: 'Wed', long: 'Wednesday' },
  { n: 4, short: 'Thu', long: 'Thursday' },
  { n: 5, short: 'Fri', long: 'Friday' },
  { n: 6, short: 'Sat', long: 'Saturday' },
  { n: 7, short: 'Sun', long: 'Sunday' },
] as const;

export function describeDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'Every day';
  if (sorted.join() === '1,2,3,4,5') return 'Mon–Fri';
  if (sorted.join() === '6,7') return 'Weekends';
  return sorted.map((d) => DAYS[d - 1]?.short ?? '?').join(', ');
}

export function describeDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h} h ${m} min`;
  return h ? `${h} h` : `${m} min`;
}

export interface ScheduleDraft extends OverridesDraft {
  days: number[];
  startTime: string;
  timeZone: string;
  durationMinutes: string;
  enabled: boolean;
  label: string;
}

export function emptyScheduleDraft(timeZone: string): ScheduleDraft {
  return {
    days: [1, 2, 3, 4, 5],
    startTime: '22:00',
    timeZone,
    durationMinutes: '480',
    enabled: true,
    label: '',
    ...overridesDraft({}),
  };
}

export function scheduleDraft(s: Schedule): ScheduleDraft {
  return {
    days: [...s.days],
    startTime: s.startTime,
    timeZone: s.timeZone,
    durationMinutes: String(s.durationMinutes),
    enabled: s.enabled,
    label: s.label ?? '',
    ...overridesDraft(s.run),
  };
}

/** A draft that starts now: today, this minute, in the given zone. */
export function draftStartingAt(now: Date, timeZone: string): Partial<ScheduleDraft> {
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    days: [now.getDay() === 0 ? 7 : now.getDay()],
    startTime: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
    timeZone,
  };
}

function fieldsOf(d: ScheduleDraft): unknown {
  const duration = d.durationMinutes.trim() === '' ? Number.NaN : Number(d.durationMinutes);
  return {
    days: [...d.days].sort((a, b) => a - b),
    startTime: d.startTime,
    timeZone: d.timeZone.trim(),
    durationMinutes: duration,
    enabled: d.enabled,
    run: overridesOf(d),
    ...(d.label.trim() ? { label: d.label.trim() } : {}),
  };
}

/** One sentence per draft key (a run setting by its own name; anything else under "form"). */
export type DraftErrors = Partial<Record<keyof ScheduleDraft | 'form', string>>;

/** The draft key a field path is about ("run.model" → "model", "schedule.days" → "days"). */
export function draftKeyOf(path: readonly PropertyKey[]): keyof ScheduleDraft | 'form' {
  const [first, second] = path[0] === 'schedule' ? path.slice(1) : path;
  const key = first === 'run' ? String(second ?? 'form') : String(first ?? 'form');
  const keys: readonly string[] = [...Object.keys(emptyScheduleDraft('UTC'))];
  return keys.includes(key) ? (key as keyof ScheduleDraft) : 'form';
}

/** Checks the draft with the contract's own schema; one sentence per field. */
export function validateScheduleDraft(d: ScheduleDraft): {
  value: ScheduleFields | null;
  errors: DraftErrors;
} {
  const parsed = ScheduleFields.safeParse(fieldsOf(d));
  if (parsed.success) return { value: parsed.data, errors: {} };
  const errors: DraftErrors = {};
  for (const issue of parsed.error.issues) {
    const key = draftKeyOf(issue.path);
    if (errors[key]) continue;
    let message = issue.message;
    if (key === 'durationMinutes' && issue.code === 'invalid_type') {
      message = 'Duration must be between 1 and 1440 minutes';
    }
    errors[key] = message.endsWith('.') ? message : `${message}.`;
  }
  return { value: null, errors };
}

/** A refusal from main, at the field it is about (or for the whole form). */
export function serverErrors(error: AppError): DraftErrors {
  if (!error.field) return {};
  return { [draftKeyOf(error.field.split('.'))]: error.message };
}

/** The draft with a patch applied, and the errors of the patched fields dropped. */
export function patchDraft(
  draft: ScheduleDraft,
  errors: DraftErrors,
  patch: Partial<ScheduleDraft>,
): { draft: ScheduleDraft; errors: DraftErrors } {
  const next = { ...errors };
  for (const k of Object.keys(patch)) delete next[k as keyof DraftErrors];
  return { draft: { ...draft, ...patch }, errors: next };
}
