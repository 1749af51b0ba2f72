import {
  useId,
  useState,
  type InputHTMLAttributes,
  type ReactNode,
  type TextareaHTMLAttributes,
} from 'react';
import {
  CodingAgents,
  RegressionAgents,
  type ModelInfo,
  type RunSettings,
} from '../../../contract/index.ts';
import { errorLine } from '../lib/field-errors.ts';
import type { OverridesDraft, YoloChoice } from '../lib/run-overrides-draft.ts';

/** A sentence under a field, announced when it appears. */
export function FieldError(props: { id: string; message: string | null | undefined }): ReactNode {
  if (!props.message) return null;
  return (
    <p id={props.id} className="field-error" role="alert">
      {props.message}
    </p>
  );
}

/** A labelled field with an optional hint and error sentence. */
export function Field(props: {
  label: string;
  error?: string | null;
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  className?: string;
}): ReactNode {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy =
    [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(' ') ||
    undefined;
  return (
    <div className={props.className ? `field ${props.className}` : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: Boolean(props.error) })}
      {props.hint ? (
        <p id={hintId} className="field-hint">
          {props.hint}
        </p>
      ) : null}
      <FieldError id={errorId} message={props.error} />
    </div>
  );
}

/** One radio per option, each with its label and a hint after a dash. */
export function RadioOptions<V extends string>(props: {
  name: string;
  options: readonly { v: V; label: string; hint: string }[];
  value: V;
  onChange: (value: V) => void;
  disabled?: boolean;
}): ReactNode {
  return props.options.map((o) => (
    <label key={o.v} className="radio">
      <input
        type="radio"
        name={props.name}
        value={o.v}
        checked={props.value === o.v}
        disabled={props.disabled}
        onChange={() => props.onChange(o.v)}
      />
      <span>
        {o.label} <span className="muted small">— {o.hint}</span>
      </span>
    </label>
  ));
}

/** A checkbox drawn as a switch, with its state also in words. */
export function Switch(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  hint?: string;
}): ReactNode {
  const id = useId();
  return (
    <div className="field field-switch">
      <label htmlFor={id} className="switch">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={props.checked}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-describedby={props.hint ? `${id}-hint` : undefined}
        />
        <span className="switch-track" aria-hidden="true" />
        <span>{props.label}</span>
        <span className="switch-state">{props.checked ? 'On' : 'Off'}</span>
      </label>
      {props.hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

const CUSTOM = '__custom__';
const DEFAULT = '__default__';

/**
 * A model select from `settings.models` plus a field for a custom id. With `defaultLabel`, the
 * empty value means "use the global default".
 */
export function ModelPicker(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  models: readonly ModelInfo[];
  defaultLabel?: string;
  disabled?: boolean;
  error?: string | null;
}): ReactNode {
  const known = props.models.some((m) => m.id === props.value);
  const [customOpen, setCustomOpen] = useState(!known && props.value !== '');
  const selectValue =
    props.value === '' && props.defaultLabel !== undefined && !customOpen
      ? DEFAULT
      : known && !customOpen
        ? props.value
        : CUSTOM;
  const customId = useId();
  return (
    <Field label={props.label} error={props.error}>
      {({ id, describedBy, invalid }) => (
        <div className="model-picker">
          <select
            id={id}
            value={selectValue}
            disabled={props.disabled}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            onChange={(e) => {
              const v = e.target.value;
              if (v === CUSTOM) {
                setCustomOpen(true);
                if (known) props.onChange('');
              } else {
                setCustomOpen(false);
                props.onChange(v === DEFAULT ? '' : v);
              }
            }}
          >
            {props.defaultLabel !== undefined ? (
              <option value={DEFAULT}>{props.defaultLabel}</option>
            ) : null}
            {props.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name === m.id ? m.id : `${m.name} (${m.id})`}
              </option>
            ))}
            <option value={CUSTOM}>Custom model id…</option>
          </select>
          {selectValue === CUSTOM ? (
            <>
              <label htmlFor={customId} className="visually-hidden">
                Custom model id
              </label>
              <input
                id={customId}
                type="text"
                value={props.value}
                placeholder="Custom model id, e.g. glm-4.6"
                disabled={props.disabled}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => props.onChange(e.target.value)}
              />
            </>
          ) : null}
        </div>
      )}
    </Field>
  );
}

/** A select of whole numbers, optionally with a "use global default" choice (value null). */
export function NumberSelect(props: {
  label: string;
  value: number | null;
  min: number;
  max: number;
  onChange: (value: number | null) => void;
  defaultLabel?: string;
  disabled?: boolean;
  error?: string | null;
}): ReactNode {
  const options: number[] = [];
  for (let n = props.min; n <= props.max; n++) options.push(n);
  return (
    <Field label={props.label} error={props.error}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          value={props.value === null ? DEFAULT : String(props.value)}
          disabled={props.disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) =>
            props.onChange(e.target.value === DEFAULT ? null : Number(e.target.value))
          }
        >
          {props.defaultLabel !== undefined ? (
            <option value={DEFAULT}>{props.defaultLabel}</option>
          ) : null}
          {options.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Outcome line beside a set of buttons: what happened, or what went wrong. */
export function Outcome(props: {
  outcome: { kind: 'ok' | 'error'; message: string; field?: string | undefined } | null;
  pending?: string | null;
}): ReactNode {
  return (
    <p className="outcome" role="status" aria-live="polite">
      {props.pending ? (
        <span className="muted">{props.pending}</span>
      ) : props.outcome ? (
        <span className={props.outcome.kind === 'error' ? 'error-text' : 'ok-text'}>
          {props.outcome.kind === 'error' ? <span aria-hidden="true">⚠ </span> : null}
          {props.outcome.kind === 'error' ? errorLine(props.outcome) : props.outcome.message}
        </span>
      ) : null}
    </p>
  );
}

/** The dialog's first focus (see Dialog.tsx), as an attribute to spread. */
const autoFocus = (on: boolean | undefined) => (on ? { 'data-autofocus': true } : {});

/** What a labelled input draws: a one-line input, or a text area. */
type Control =
  | { kind: 'input'; attrs: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> }
  | {
      kind: 'textarea';
      attrs: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange'>;
    };

/** What every labelled input takes. */
interface LabelledProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
  hint?: ReactNode;
  name?: string;
}

/** Where something shown with an input goes: on its row, as its unit, or under it. */
const besideInput = {
  row: (input: ReactNode, node: ReactNode) => (
    <div className="input-row">
      {input}
      {node}
    </div>
  ),
  unit: (input: ReactNode, node: ReactNode) => (
    <span className="input-unit">
      {input}
      <span className="muted">{node}</span>
    </span>
  ),
  below: (input: ReactNode, node: ReactNode) => (
    <>
      {input}
      {node}
    </>
  ),
};

/** A labelled input wired to its hint and error, with `after` placed beside it. */
function LabelledInput(
  props: LabelledProps & {
    control: Control;
    after: { node: ReactNode; place: keyof typeof besideInput } | null;
  },
): ReactNode {
  const { control, after } = props;
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {({ id, describedBy, invalid }) => {
        const wiring = {
          id,
          name: props.name,
          value: props.value,
          'aria-describedby': describedBy,
          'aria-invalid': invalid || undefined,
        };
        const input =
          control.kind === 'textarea' ? (
            <textarea
              {...control.attrs}
              {...wiring}
              onChange={(e) => props.onChange(e.target.value)}
            />
          ) : (
            <input
              {...control.attrs}
              {...wiring}
              onChange={(e) => props.onChange(e.target.value)}
            />
          );
        return after ? besideInput[after.place](input, after.node) : input;
      }}
    </Field>
  );
}

/** A labelled one-line text input (also url and time), with its hint and error sentence. */
export function TextField(
  props: LabelledProps & {
    type?: 'text' | 'url' | 'time';
    placeholder?: string;
    maxLength?: number;
    list?: string;
    autoFocus?: boolean;
    /** 'decimal' brings up a number pad where there is one (an amount that may be empty). */
    inputMode?: 'decimal';
    /** Shown after the input on the same row (e.g. a "Choose…" button). */
    after?: ReactNode;
  },
): ReactNode {
  return (
    <LabelledInput
      {...props}
      control={{
        kind: 'input',
        attrs: {
          type: props.type ?? 'text',
          placeholder: props.placeholder,
          maxLength: props.maxLength,
          list: props.list,
          inputMode: props.inputMode,
          ...autoFocus(props.autoFocus),
          autoComplete: 'off',
          spellCheck: false,
        },
      }}
      after={props.after ? { node: props.after, place: 'row' } : null}
    />
  );
}

/** A whole-number input kept as the typed text (so a half-typed value is not lost). */
export function NumberField(
  props: LabelledProps & { min: number; max: number; unit?: string },
): ReactNode {
  return (
    <LabelledInput
      {...props}
      control={{
        kind: 'input',
        attrs: { type: 'number', inputMode: 'numeric', min: props.min, max: props.max, step: 1 },
      }}
      after={props.unit ? { node: props.unit, place: 'unit' } : null}
    />
  );
}

/** A labelled text area, with its hint and error sentence. */
export function TextAreaField(
  props: LabelledProps & {
    rows: number;
    autoFocus?: boolean;
    /** Shown under the text area (e.g. a live count of characters). */
    after?: ReactNode;
  },
): ReactNode {
  return (
    <LabelledInput
      {...props}
      control={{ kind: 'textarea', attrs: { rows: props.rows, ...autoFocus(props.autoFocus) } }}
      after={props.after ? { node: props.after, place: 'below' } : null}
    />
  );
}

/** A form-level error sentence, announced when it appears. */
export function FormError(props: { message: string | null | undefined }): ReactNode {
  if (!props.message) return null;
  return (
    <p className="form-error" role="alert">
      {props.message}
    </p>
  );
}

/** The agent counts a run asks for, in the ranges the contract allows. */
const agentCount = (
  key: 'codingAgents' | 'regressionAgents',
  label: string,
  range: { minValue: number | null; maxValue: number | null },
) => ({ key, label, min: range.minValue ?? 0, max: range.maxValue ?? 0 });
const agentCounts = [
  agentCount('codingAgents', 'Coding agents', CodingAgents),
  agentCount('regressionAgents', 'Regression agents', RegressionAgents),
];
type AgentCount = (typeof agentCounts)[number]['key'];

type RunField = 'model' | AgentCount;

/**
 * The model, the agent counts and YOLO in their grid. With `defaultLabel` each field can say "use
 * the default" (the model '', a count null); without it a count is always a number. `yolo` is
 * the form's own YOLO field, placed where that form has it.
 */
function RunFields<N extends number | null>(props: {
  value: { model: string } & Readonly<Record<AgentCount, N>>;
  onChange: (patch: Partial<{ model: string } & Record<AgentCount, N>>) => void;
  models: readonly ModelInfo[];
  defaultLabel?: (field: RunField) => string;
  errorAt: (field: RunField) => string | null | undefined;
  yolo: { field: ReactNode; after: 'model' | 'counts' };
}): ReactNode {
  const { defaultLabel, yolo } = props;
  const withDefault = (field: RunField) =>
    defaultLabel ? { defaultLabel: defaultLabel(field) } : {};
  const counts = agentCounts.map((c) => (
    <NumberSelect
      key={c.key}
      label={c.label}
      min={c.min}
      max={c.max}
      value={props.value[c.key]}
      {...withDefault(c.key)}
      // Without a default choice the select never gives null.
      onChange={(n) => props.onChange({ [c.key]: (defaultLabel ? n : (n ?? c.min)) as N })}
      error={props.errorAt(c.key) ?? null}
    />
  ));
  return (
    <div className="run-settings-grid">
      <ModelPicker
        label="Model"
        value={props.value.model}
        models={props.models}
        {...withDefault('model')}
        onChange={(model) => props.onChange({ model })}
        error={props.errorAt('model') ?? null}
      />
      {yolo.after === 'model' ? yolo.field : null}
      {counts}
      {yolo.after === 'counts' ? yolo.field : null}
    </div>
  );
}

/** What a form of the run values takes: its value, its change, the models offered, its errors. */
interface RunFormProps<V, Change> {
  value: V;
  onChange: (change: Change) => void;
  models: readonly ModelInfo[];
  errorAt: (field: keyof V) => string | null | undefined;
}

/** One run's settings (the global defaults, or the next start): YOLO is a switch, last. */
export function RunSettingsFields(props: RunFormProps<RunSettings, RunSettings>): ReactNode {
  const { value, onChange } = props;
  return (
    <RunFields
      value={value}
      onChange={(patch) => onChange({ ...value, ...patch })}
      models={props.models}
      errorAt={props.errorAt}
      yolo={{
        after: 'counts',
        field: (
          <Switch
            label="YOLO mode"
            checked={value.yolo}
            onChange={(yolo) => onChange({ ...value, yolo })}
            hint="Skips browser testing: faster, less sure."
          />
        ),
      }}
    />
  );
}

/** One whole-number setting of a form: its key in the draft, and how it is shown. */
export interface WholeNumberSpec<K extends string> {
  key: K;
  label: string;
  unit: string;
  min: number;
  max: number;
  hint: string;
}

/** Whole-number settings side by side, each kept as the typed text. */
export function WholeNumberFields<K extends string>(props: {
  fields: readonly WholeNumberSpec<K>[];
  value: Record<K, string>;
  onChange: (value: Record<K, string>) => void;
  errorAt: (field: K) => string | null | undefined;
}): ReactNode {
  return (
    <div className="settings-grid">
      {props.fields.map((f) => (
        <NumberField
          key={f.key}
          label={f.label}
          unit={f.unit}
          min={f.min}
          max={f.max}
          value={props.value[f.key]}
          onChange={(v) => props.onChange({ ...props.value, [f.key]: v })}
          hint={f.hint}
          error={props.errorAt(f.key)}
        />
      ))}
    </div>
  );
}

/**
 * The end of a form: its error sentence, then Cancel and the action, which says what it is doing
 * while busy. `layout` keeps where each place has its buttons: a dialog's end ('dialog') or a row
 * ('row'), Cancel first, or the action first ('panel'), followed by `children` (an outcome line).
 */
export function FormFooter(props: {
  error?: string | null | undefined;
  label: string;
  busyLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  onCancel: () => void;
  /** Without it, the action submits the form. */
  onAction?: () => void;
  tone?: 'primary' | 'danger';
  layout: 'dialog' | 'row' | 'panel';
  /** Cancel takes the dialog's first focus (a destructive action). */
  cancelFirstFocus?: boolean;
  children?: ReactNode;
}): ReactNode {
  const { onAction, busy = false } = props;
  const action = (
    <button
      type={onAction ? 'button' : 'submit'}
      className={`button ${props.tone ?? 'primary'}`}
      disabled={busy || props.disabled}
      onClick={onAction}
    >
      {busy && props.busyLabel ? props.busyLabel : props.label}
    </button>
  );
  const cancel = (
    <button
      type="button"
      className="button"
      {...autoFocus(props.cancelFirstFocus)}
      onClick={props.onCancel}
    >
      Cancel
    </button>
  );
  return (
    <>
      <FormError message={props.error} />
      <div className={footerClass[props.layout]}>
        {props.layout === 'panel' ? (
          <>
            {action}
            {cancel}
          </>
        ) : (
          <>
            {cancel}
            {action}
          </>
        )}
        {props.children}
      </div>
    </>
  );
}

const footerClass = { dialog: 'dialog-actions', row: 'buttons', panel: 'form-actions' } as const;

/**
 * Model, YOLO and agent counts as overrides of the next level's values: each can say "use the
 * default" (`defaultLabel` words it per field).
 */
export function RunOverridesFields(
  props: RunFormProps<OverridesDraft, Partial<OverridesDraft>> & {
    defaultLabel: (field: keyof OverridesDraft) => string;
  },
): ReactNode {
  const { value, onChange } = props;
  return (
    <RunFields
      value={value}
      onChange={onChange}
      models={props.models}
      defaultLabel={props.defaultLabel}
      errorAt={props.errorAt}
      yolo={{
        after: 'model',
        field: (
          <Field label="YOLO mode" error={props.errorAt('yolo')}>
            {({ id, describedBy }) => (
              <select
                id={id}
                value={value.yolo}
                aria-describedby={describedBy}
                onChange={(e) => onChange({ yolo: e.target.value as YoloChoice })}
              >
                <option value="default">{props.defaultLabel('yolo')}</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>
            )}
          </Field>
        ),
      }}
    />
  );
}
