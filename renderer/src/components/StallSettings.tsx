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
import { NumberField } from './fields.tsx';
import { Section, sectionOutcome } from './SettingsSection.tsx';

const fields = ['stallWarnMinutes', 'stallKillMinutes'] as const;

function StallForm(props: { prefs: LedgerPrefs; onSaved: (p: LedgerPrefs) => void }): ReactNode {
  const [value, setValue, dirty] = useDraft({
    stallWarnMinutes: String(props.prefs.stallWarnMinutes),
    stallKillMinutes: String(props.prefs.stallKillMinutes),
  });
  const action = useAction();
  const [local, setLocal] = useState<{ message: string; field: string } | null>(null);
  const outcome = local ? { kind: 'error' as const, ...local } : action.outcome;
  const submit = () => {
    setLocal(null);
    for (const f of fields)
      if (!/^\d+$/.test(value[f].trim())) {
        setLocal({ message: 'Enter a whole number of minutes.', field: f });
        return;
      }
    const prefs = {
      stallWarnMinutes: Number(value.stallWarnMinutes),
      stallKillMinutes: Number(value.stallKillMinutes),
    };
    void action.run(
      'Saving…',
      async () => {
        const r = await call('ledger.setPrefs', prefs);
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
      outcome={sectionOutcome(outcome, [...fields])}
      onSubmit={submit}
    >
      <div className="settings-grid">
        <NumberField
          label="Flagged after"
          unit="minutes"
          min={1}
          max={720}
          value={value.stallWarnMinutes}
          onChange={(v) => setValue({ ...value, stallWarnMinutes: v })}
          hint="Its card turns amber and the inbox says so. 1 to 720."
          error={errorAt(outcome, 'stallWarnMinutes')}
        />
        <NumberField
          label="Ended after"
          unit="minutes"
          min={2}
          max={1440}
          value={value.stallKillMinutes}
          onChange={(v) => setValue({ ...value, stallKillMinutes: v })}
          hint="Its session is ended as stalled and counts as an attempt. Longer than the first; up to 1440."
          error={errorAt(outcome, 'stallKillMinutes')}
        />
      </div>
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
