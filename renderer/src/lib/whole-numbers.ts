/**
 * Whole-number settings as a form holds them: the typed text of each, so a half-typed value is
 * kept, read back into numbers on submit. Pure, unit tested from Node.
 */

/** The settings' values as the texts a form starts from. */
export function wholeNumberDraft<K extends string>(
  values: Readonly<Record<K, number>>,
  keys: readonly K[],
): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, String(values[k])])) as Record<K, string>;
}

/** The typed texts as numbers, or the first field whose text is not a whole number. */
export function parseWholeNumbers<K extends string>(
  draft: Readonly<Record<K, string>>,
  keys: readonly K[],
): { ok: true; value: Record<K, number> } | { ok: false; field: K } {
  const value = {} as Record<K, number>;
  for (const k of keys) {
    const text = draft[k].trim();
    if (!/^\d+$/.test(text)) return { ok: false, field: k };
    value[k] = Number(text);
  }
  return { ok: true, value };
}
