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

/** A labelled input wired to its hint and error; `wrap` places it in a row (a button, a unit). */
function LabelledInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
  hint?: ReactNode;
  control: Control;
  wrap?: ((input: ReactNode) => ReactNode) | undefined;
}): ReactNode {
  const { control } = props;
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {({ id, describedBy, invalid }) => {
        const wiring = {
          id,
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
        return props.wrap ? props.wrap(input) : input;
      }}
    </Field>
  );
}

/** A labelled one-line text input (also url and time), with its hint and error sentence. */
export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
  hint?: ReactNode;
  type?: 'text' | 'url' | 'time';
  name?: string;
  placeholder?: string;
  maxLength?: number;
  list?: string;
  autoFocus?: boolean;
  /** 'decimal' brings up a number pad where there is one (an amount that may be empty). */
  inputMode?: 'decimal';
  /** Shown after the input on the same row (e.g. a "Choose…" button). */
  after?: ReactNode;
}): ReactNode {
  const { after } = props;
  return (
    <LabelledInput
      {...props}
      control={{
        kind: 'input',
        attrs: {
          type: props.type ?? 'text',
          name: props.name,
          placeholder: props.placeholder,
          maxLength: props.maxLength,
          list: props.list,
          inputMode: props.inputMode,
          ...autoFocus(props.autoFocus),
          autoComplete: 'off',
          spellCheck: false,
        },
      }}
      wrap={
        after
          ? (input) => (
              <div className="input-row">
                {input}
                {after}
              </div>
            )
          : undefined
      }
    />
  );
}

/** A whole-number input kept as the typed text (so a half-typed value is not lost). */
export function NumberField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min: number;
  max: number;
  unit?: string;
  name?: string;
  hint?: ReactNode;
  error?: string | null | undefined;
}): ReactNode {
  const { unit } = props;
  return (
    <LabelledInput
      {...props}
      control={{
        kind: 'input',
        attrs: {
          type: 'number',
          inputMode: 'numeric',
          name: props.name,
          min: props.min,
          max: props.max,
          step: 1,
        },
      }}
      wrap={
        unit
          ? (input) => (
              <span className="input-unit">
                {input}
                <span className="muted">{unit}</span>
              </span>
            )
          : undefined
      }
    />
  );
}

/** A labelled text area, with its hint and error sentence. */
export function TextAreaField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows: number;
  name?: string;
  error?: string | null | undefined;
  hint?: ReactNode;
  autoFocus?: boolean;
  /** Shown under the text area (e.g. a live count of characters). */
  after?: ReactNode;
}): ReactNode {
  const { after } = props;
  return (
    <LabelledInput
      {...props}
      control={{
        kind: 'textarea',
        attrs: { name: props.name, rows: props.rows, ...autoFocus(props.autoFocus) },
      }}
      wrap={
        after
          ? (input) => (
              <>
                {input}
                {after}
              </>
            )
          : undefined
      }
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

/**
 * A select per agent count. With `defaultLabel` each can say "use the default" (null); without
 * it there is no such choice, so a count stays a number.
 */
function AgentCountSelects<N extends number | null>(props: {
  value: Readonly<Record<AgentCount, N>>;
  onChange: (patch: Partial<Record<AgentCount, N>>) => void;
  defaultLabel?: (field: AgentCount) => string;
  errorAt: (field: AgentCount) => string | null | undefined;
}): ReactNode {
  const { defaultLabel } = props;
  return agentCounts.map((c) => (
    <NumberSelect
      key={c.key}
      label={c.label}
      min={c.min}
      max={c.max}
      value={props.value[c.key]}
      {...(defaultLabel ? { defaultLabel: defaultLabel(c.key) } : {})}
      onChange={(n) => props.onChange({ [c.key]: (defaultLabel ? n : (n ?? c.min)) as N })}
      error={props.errorAt(c.key) ?? null}
    />
  ));
}

/** Model, agent counts and YOLO of one run's settings (the global defaults, or the next start). */
export function RunSettingsFields(props: {
  value: RunSettings;
  onChange: (value: RunSettings) => void;
  models: readonly ModelInfo[];
  errorAt: (field: keyof RunSettings) => string | null | undefined;
}): ReactNode {
  const { value, onChange } = props;
  return (
    <div className="run-settings-grid">
      <ModelPicker
        label="Model"
        value={value.model}
        models={props.models}
        onChange={(model) => onChange({ ...value, model })}
        error={props.errorAt('model') ?? null}
      />
      <AgentCountSelects
        value={value}
        onChange={(n) => onChange({ ...value, ...n })}
        errorAt={props.errorAt}
      />
      <Switch
        label="YOLO mode"
        checked={value.yolo}
        onChange={(yolo) => onChange({ ...value, yolo })}
        hint="Skips browser testing: faster, less sure."
      />
    </div>
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
export function RunOverridesFields(props: {
  value: OverridesDraft;
  onChange: (patch: Partial<OverridesDraft>) => void;
  models: readonly ModelInfo[];
  defaultLabel: (field: keyof OverridesDraft) => string;
  errorAt: (field: keyof OverridesDraft) => string | null | undefined;
}): ReactNode {
  const { value, onChange } = props;
  return (
    <div className="run-settings-grid">
      <ModelPicker
        label="Model"
        value={value.model}
        models={props.models}
        defaultLabel={props.defaultLabel('model')}
        onChange={(model) => onChange({ model })}
        error={props.errorAt('model') ?? null}
      />
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
      <AgentCountSelects
        value={value}
        onChange={onChange}
        defaultLabel={props.defaultLabel}
        errorAt={props.errorAt}
      />
    </div>
  );
}
