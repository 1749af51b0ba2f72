/**
 * Settings → Stalled agents: how long an agent may show no tool call or progress before its card
 * turns amber (and an inbox item is raised), and before its session is ended as stalled. Main
 * keeps both in the ledger and checks the second is longer; the second reaches every agent at
 * its start.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { LedgerPrefs } from '../../../contract/index.ts';
import { call } from '../actions/call.ts';
import { errorAt } from '../lib/field-errors.ts';
import { useAction, useDraft } from '../lib/hooks.ts';
import { parseWholeNumbers, wholeNumberDraft } from '../lib/whole-numbers.ts';
import { WholeNumberFields, type WholeNumberSpec } from './fields.tsx';
import { Section, sectionOutcome } from './SettingsSection.tsx';

const fields: readonly WholeNumberSpec<'stallWarnMinutes' | 'stallKillMinutes'>[] = [
  {
    key: 'stallWarnMinutes',
    label: 'Flagged after',
    unit: 'minutes',
    min: 1,
    max: 720,
    hint: 'Its card turns amber and the inbox says so. 1 to 720.',
  },
  {
    key: 'stallKillMinutes',
    label: 'Ended after',
    unit: 'minutes',
    min: 2,
    max: 1440,
    hint: 'Its session is ended as stalled and counts as an attempt. Longer than the first; up to 1440.',
  },
];
const keys = fields.map((f) => f.key);

function StallForm(props: { prefs: LedgerPrefs; onSaved: (p: LedgerPrefs) => void }): ReactNode {
  const [value, setValue, dirty] = useDraft(wholeNumberDraft(props.prefs, keys));
  const action = useAction();
  const [local, setLocal] = useState<{ message: string; field: string } | null>(null);
  const outcome = local ? { kind: 'error' as const, ...local } : action.outcome;
  const submit = () => {
    setLocal(null);
    const parsed = parseWholeNumbers(value, keys);
    if (!parsed.ok) {
      setLocal({ message: 'Enter a whole number of minutes.', field: parsed.field });
      return;
    }
    void action.run(
      'Saving…',
      async () => {
        const r = await call('ledger.setPrefs', parsed.value);
        if (r.ok) props.onSaved(r.value);
        return r;
      },
      () => 'Stall limits saved.',
    );
  };
  return (
    <Section
      title="Stalled agents"
      description="An agent that shows no tool call or progress:"
      dirty={dirty}
      pending={action.pending}
      outcome={sectionOutcome(outcome, keys)}
      onSubmit={submit}
    >
      <WholeNumberFields
        fields={fields}
        value={value}
        onChange={setValue}
        errorAt={(field) => errorAt(outcome, field)}
      />
    </Section>
  );
}

export function StallSettings(): ReactNode {
  const [prefs, setPrefs] = useState<LedgerPrefs | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void call('ledger.prefs').then((r) => (r.ok ? setPrefs(r.value) : setError(r.error.message)));
  }, []);
  if (error)
    return (
      <p className="error-text" role="alert">
        {error}
      </p>
    );
  return prefs ? <StallForm prefs={prefs} onSaved={setPrefs} /> : null;
}
