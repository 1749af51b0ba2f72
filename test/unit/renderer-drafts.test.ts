/**
 * The renderer's form logic without a DOM: where an error sentence is shown, run overrides as a
 * form edits them, whole-number settings as typed text, and the schedule form's draft, validation
 * and server-error placement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInput, ProjectUpdate, type Schedule } from '../../contract/index.ts';
import { errorAt, errorLine, formError } from '../../renderer/src/lib/field-errors.ts';
import { overridesDraft, overridesOf } from '../../renderer/src/lib/run-overrides-draft.ts';
import {
  describeDays,
  describeDuration,
  draftStartingAt,
  emptyScheduleDraft,
  patchDraft,
  scheduleDraft,
  serverErrors,
  validateScheduleDraft,
} from '../../renderer/src/lib/schedule-draft.ts';
import { parseWholeNumbers, wholeNumberDraft } from '../../renderer/src/lib/whole-numbers.ts';

test('main keeps the field apart from the sentence, and the form shows it once', () => {
  const bad = parseInput(ProjectUpdate, { id: 'p', overrides: { codingAgents: 9 } });
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.equal(bad.error.field, 'overrides.codingAgents');
  assert.doesNotMatch(bad.error.message, /overrides/, 'the sentence does not repeat the path');
  assert.equal(errorAt(bad.error, 'overrides.codingAgents'), bad.error.message);
  assert.equal(errorAt(bad.error, 'overrides'), bad.error.message, 'a containing field shows it');
  assert.equal(errorAt(bad.error, 'overrides.model'), null);
  assert.equal(errorAt(bad.error, 'over'), null, 'a prefix of a name is not a containing field');
  assert.equal(formError(bad.error, ['name', 'overrides.codingAgents']), null);
  assert.equal(
    formError(bad.error, ['name']),
    `overrides.codingAgents: ${bad.error.message}`,
    'shown away from its field, the line names the field',
  );
  const plain = { message: 'That project is not registered any more.' };
  assert.equal(errorAt(plain, 'name'), null);
  assert.equal(formError(plain, ['name']), plain.message);
  assert.equal(errorLine(plain), plain.message);
  assert.equal(formError(null, ['name']), null);
});

test('run overrides round-trip through the form draft; empty means "use the default"', () => {
  assert.deepEqual(overridesDraft({}), {
    model: '',
    yolo: 'default',
    codingAgents: null,
    regressionAgents: null,
  });
  for (const o of [
    {},
    { model: 'm', yolo: false, codingAgents: 2, regressionAgents: 0 },
    { yolo: true },
  ])
    assert.deepEqual(overridesOf(overridesDraft(o)), o);
  assert.deepEqual(overridesOf({ ...overridesDraft({}), model: '  glm-4.6 ' }), {
    model: 'glm-4.6',
  });
});

const schedule: Schedule = {
  id: 's1',
  createdAt: '2026-01-01T00:00:00Z',
  days: [6, 7],
  startTime: '09:30',
  timeZone: 'Europe/Berlin',
  durationMinutes: 90,
  enabled: false,
  label: 'Weekends',
  run: { codingAgents: 3 },
};

test('a schedule becomes a draft and validates back to the same fields', () => {
  const draft = scheduleDraft(schedule);
  const { value, errors } = validateScheduleDraft(draft);
  assert.deepEqual(errors, {});
  const { id: _id, createdAt: _c, ...fields } = schedule;
  assert.deepEqual(value, fields);
  assert.equal(describeDays(draft.days), 'Weekends');
  assert.equal(describeDays([3, 1]), 'Mon, Wed');
  assert.equal(describeDuration(90), '1 h 30 min');
  assert.equal(describeDuration(45), '45 min');
  assert.equal(describeDuration(120), '2 h');
});

test('a bad draft gets one sentence per field, each under the key the form shows', () => {
  const draft = {
    ...emptyScheduleDraft('UTC'),
    days: [],
    startTime: '25:00',
    durationMinutes: '',
    timeZone: 'Mars/Olympus',
  };
  const { value, errors } = validateScheduleDraft(draft);
  assert.equal(value, null);
  assert.deepEqual(Object.keys(errors).sort(), [
    'days',
    'durationMinutes',
    'startTime',
    'timeZone',
  ]);
  assert.equal(errors.durationMinutes, 'Duration must be between 1 and 1440 minutes.');
  for (const sentence of Object.values(errors)) assert.match(sentence ?? '', /\.$/);
  // Editing a field drops its error and keeps the others.
  const next = patchDraft(draft, errors, { days: [1] });
  assert.deepEqual(next.draft.days, [1]);
  assert.equal(next.errors.days, undefined);
  assert.ok(next.errors.startTime);
});

test('a refusal from main lands at its field, or on the form when the form has no such field', () => {
  assert.deepEqual(serverErrors({ code: 'invalid-input', message: 'Bad.', field: 'run.model' }), {
    model: 'Bad.',
  });
  assert.deepEqual(
    serverErrors({ code: 'invalid-input', message: 'Bad.', field: 'schedule.days' }),
    {
      days: 'Bad.',
    },
  );
  assert.deepEqual(
    serverErrors({ code: 'invalid-input', message: 'Bad.', field: 'somethingElse' }),
    {
      form: 'Bad.',
    },
  );
  assert.deepEqual(serverErrors({ code: 'not-found', message: 'Gone.' }), {});
});

test('"Now" fills today, this minute and the zone', () => {
  const sunday = new Date(2026, 0, 4, 7, 5);
  assert.deepEqual(draftStartingAt(sunday, 'Asia/Tokyo'), {
    days: [7],
    startTime: '07:05',
    timeZone: 'Asia/Tokyo',
  });
});

test('whole-number settings are kept as typed text and read back, or name the first bad field', () => {
  const keys = ['warn', 'kill'] as const;
  const settings = { warn: 15, kill: 60, other: 1 };
  const draft = wholeNumberDraft(settings, keys);
  assert.deepEqual(draft, { warn: '15', kill: '60' }, "only the form's fields are drafted");
  assert.deepEqual(parseWholeNumbers({ warn: ' 20 ', kill: '0' }, keys), {
    ok: true,
    value: { warn: 20, kill: 0 },
  });
  for (const bad of ['', '1.5', '-3', '2e3', 'ten'])
    assert.deepEqual(parseWholeNumbers({ warn: '5', kill: bad }, keys), {
      ok: false,
      field: 'kill',
    });
  assert.deepEqual(parseWholeNumbers({ warn: 'x', kill: 'y' }, keys), { ok: false, field: 'warn' });
});
