/**
 * Every command answers with a Result, never a thrown error: Electron's IPC drops everything but
 * `message` from thrown errors, and the renderer must be able to show a sentence for each failure.
 */
import { z } from 'zod';

export const errorCodes = [
  'invalid-input',
  'not-found',
  'conflict',
  'busy',
  'not-running',
  'unsupported',
  'forbidden',
  'unauthorized',
  'io',
  'internal',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppError = z.object({
  code: ErrorCode,
  /** A full sentence a user can act on. */
  message: z.string(),
  /** For invalid input: the field the message is about, as a dotted path. */
  field: z.string().optional(),
});
export type AppError = z.infer<typeof AppError>;

export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; error: AppError };
export type Result<T> = Ok<T> | Err;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, field?: string): Err => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/**
 * Turns a zod failure into one sentence about the first offending field, and that field's
 * dotted path. The sentence does not repeat the path: the UI shows it at the field, or names the
 * field itself where it shows the sentence elsewhere.
 */
export function describeZodError(error: z.ZodError): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: 'The request is not valid.' };
  const field = issue.path.map(String).join('.');
  const text = issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
  return field ? { message: text, field } : { message: text };
}

/** Parses untrusted input; on failure returns an invalid-input error that changes nothing. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): Result<z.infer<T>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const { message, field } = describeZodError(parsed.error);
  return err('invalid-input', message, field);
}

/** A message for anything thrown, never "[object Object]". */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return 'An unknown error occurred.';
  }
}
