/**
 * Where an error sentence is shown. Main sends `{ message, field }` with the field's dotted path
 * apart from the sentence; a form shows the sentence at the field it is about (or at a field
 * that contains it: "overrides" for "overrides.model"), and anywhere else with the field named.
 * Pure, unit tested from Node.
 */

export interface FieldErrorSource {
  message: string;
  field?: string | undefined;
}

/** Whether the error is about `field` or something inside it. */
export function isAbout(error: FieldErrorSource, field: string): boolean {
  return error.field === field || (error.field?.startsWith(`${field}.`) ?? false);
}

/** The sentence to show at one field (any of `fields`), or null when it is about another. */
export function errorAt(
  error: FieldErrorSource | null | undefined,
  ...fields: string[]
): string | null {
  if (!error?.field) return null;
  return fields.some((f) => isAbout(error, f)) ? error.message : null;
}

/** The error as one line outside its form: the sentence, after the field it is about. */
export function errorLine(error: FieldErrorSource): string {
  return error.field ? `${error.field}: ${error.message}` : error.message;
}

/** The form-level line: nothing when one of the form's `fields` shows it, else errorLine. */
export function formError(
  error: FieldErrorSource | null | undefined,
  fields: readonly string[],
): string | null {
  if (!error) return null;
  if (error.field && fields.some((f) => isAbout(error, f))) return null;
  return errorLine(error);
}
