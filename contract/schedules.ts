import { z } from 'zod';
import { RunOverrides } from './run-settings.ts';

/** ISO weekday numbers: 1 = Monday … 7 = Sunday. */
export const Weekday = z.number().int().min(1).max(7);
export type Weekday = z.infer<typeof Weekday>;

export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Start time must be HH:MM in 24-hour form, like 22:00');

export const TimeZoneId = z
  .string()
  .min(1, 'Choose a time zone')
  .refine(isValidTimeZone, 'That is not a known IANA time zone, like Europe/Berlin');

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const ScheduleFields = z.object({
  days: z
    .array(Weekday)
    .min(1, 'Pick at least one day')
    .max(7)
    .refine((d) => new Set(d).size === d.length, 'Each day may appear once'),
  startTime: LocalTime,
  timeZone: TimeZoneId,
  durationMinutes: z
    .number()
    .int('Duration must be a whole number of minutes')
    .min(1, 'Duration must be between 1 and 1440 minutes')
    .max(1440, 'Duration must be between 1 and 1440 minutes'),
  enabled: z.boolean(),
  run: RunOverrides,
  label: z.string().max(80, 'A label has at most 80 characters').optional(),
});
export type ScheduleFields = z.infer<typeof ScheduleFields>;

export const Schedule = ScheduleFields.extend({
  id: z.string(),
  createdAt: z.string(),
});
export type Schedule = z.infer<typeof Schedule>;

/** A window instance: [start, end) in UTC milliseconds. */
export const WindowInstance = z.object({
  scheduleIds: z.array(z.string()),
  start: z.number(),
  end: z.number(),
});
export type WindowInstance = z.infer<typeof WindowInstance>;

/** One occurrence of one schedule: [start, end) in UTC milliseconds. */
export const ScheduleOccurrence = z.object({
  scheduleId: z.string(),
  start: z.number(),
  end: z.number(),
});
export type ScheduleOccurrence = z.infer<typeof ScheduleOccurrence>;

/** What the scheduler says about one project, for the UI and the tray. */
export const ScheduleStatus = z.object({
  projectId: z.string(),
  /** The window the project is in now (union of overlapping schedules), if any. */
  activeWindow: WindowInstance.nullable(),
  nextWindow: WindowInstance.nullable(),
  /** The next window will be skipped (skip-next was asked). */
  skipNext: z.boolean(),
  /** A manual stop holds the agent stopped until this instant. */
  manualStopUntil: z.number().nullable(),
  crashRetries: z.number().int(),
  /** How many retries a window allows after crashes (the scheduler's backoff list). */
  maxRetries: z.number().int().optional(),
  /** Retries exhausted for the active window. */
  gaveUp: z.boolean(),
  nextRetryAt: z.number().nullable(),
  /** The open window is being skipped (skip-next was asked before it opened). */
  activeSkipped: z.boolean().optional(),
  /** Why the open window was not started (e.g. "December's budget is spent; …"). */
  blockedReason: z.string().nullable().optional(),
  /** After a window ended: when the draining scheduled run will be stopped at the latest. */
  stopAt: z.number().nullable().optional(),
  /** The current or next occurrence of each enabled schedule, for per-schedule display. */
  upcoming: z.array(ScheduleOccurrence).optional(),
});
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;
