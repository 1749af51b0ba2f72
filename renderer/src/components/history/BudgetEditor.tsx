import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { BudgetLimits } from '../../../../contract/index.ts';
import { loadBudgets, loadSpend, saveBudget } from '../../actions/ledger.ts';
import { TextField } from '../fields.tsx';
import { MonthSpend } from './Charts.tsx';
import { useLedger } from '../../stores/ledger.ts';

const fields: { key: keyof BudgetLimits; label: string }[] = [
  { key: 'runUsd', label: 'Per run ($)' },
  { key: 'dayUsd', label: 'Per day ($)' },
  { key: 'monthUsd', label: 'Per month ($)' },
  { key: 'runTokens', label: 'Per run (tokens, unpriced models)' },
  { key: 'dayTokens', label: 'Per day (tokens, unpriced models)' },
  { key: 'monthTokens', label: 'Per month (tokens, unpriced models)' },
];

type Draft = Record<keyof BudgetLimits, string>;
const toDraft = (l: BudgetLimits | undefined): Draft =>
  Object.fromEntries(
    fields.map((f) => [f.key, l?.[f.key] == null ? '' : String(l[f.key])]),
  ) as Draft;

/** Budgets of one scope ("global" or a project id); empty means no limit. */
export function BudgetEditor(props: { scope: string; title: string }): ReactNode {
  const budgets = useLedger((s) => s.budgets);
  const spend = useLedger((s) => s.spend);
  const current = props.scope === 'global' ? budgets?.global : budgets?.projects[props.scope];
  const [draft, setDraft] = useState<Draft | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  useEffect(() => {
    void loadBudgets();
    if (props.scope === 'global') void loadSpend();
  }, [props.scope]);
  const value = draft ?? toDraft(current);
  const id = `budget-${props.scope}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const limits = {} as BudgetLimits;
    for (const f of fields) {
      const text = value[f.key].trim();
      const n = Number(text);
      if (text !== '' && !(Number.isFinite(n) && n > 0)) {
        setOutcome(`${f.label}: enter a number above zero, or leave it empty for no limit.`);
        return;
      }
      limits[f.key] = text === '' ? null : n;
    }
    const r = await saveBudget(props.scope, limits);
    setOutcome(r.ok ? 'Saved.' : r.message);
    if (r.ok) setDraft(null);
  };

  return (
    <section className="panel settings-section" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      <p className="muted">
        Before each new session Nightshift checks that it will probably fit; if not, the run
        finishes current work and stops. Each session is also capped at what is left.
        {props.scope === 'global' && budgets
          ? ` Spent this month: $${budgets.monthSpentUsd.toFixed(2)}.`
          : ''}
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="budget-grid">
        {fields.map((f) => (
          <TextField
            key={f.key}
            label={f.label}
            inputMode="decimal"
            placeholder="No limit"
            value={value[f.key]}
            onChange={(v) => setDraft({ ...value, [f.key]: v })}
          />
        ))}
        <div className="form-actions">
          <button type="submit" className="button primary">
            Save budget
          </button>
          {outcome ? (
            <span role="status" className="small">
              {outcome}
            </span>
          ) : null}
        </div>
      </form>
      {props.scope === 'global' && spend ? <MonthSpend spend={spend} /> : null}
    </section>
  );
}
