/**
 * Session prompts, written for Nightshift (the reference's templates are AGPL; none of their text
 * is used). Shipped as code so the bundled agent needs no files beside it.
 *
 * Every prompt starts with one machine-readable line naming the session (role, feature,
 * attempt); it also helps a person reading a transcript. Every tool a prompt names is in that
 * role's allowed tool list (a unit test checks this; reference bug 7.3).
 */
import type { AgentRole } from '../contract/agent-events.ts';
import type { Feature } from '../core/features-db.ts';

const T = (name: string): string => `mcp__features__${name}`;

export function sessionMarker(role: AgentRole, featureId: number | null, attempt: number): string {
  return `[nightshift] role=${role} feature=${featureId ?? '-'} attempt=${attempt}`;
}

export function systemAppend(role: AgentRole, yolo: boolean): string {
  const verify = yolo
    ? 'This run is in YOLO mode: there is no browser. Verify with the project linter, type checker and tests.'
    : 'Verify behaviour the way a user would see it: run the app and exercise it (browser tools if you have them, otherwise HTTP requests and automated tests).';
  return [
    'You are one of several autonomous agents building an application from a written spec, supervised by Nightshift.',
    'Each session has exactly one job, described in the first message. Progress is tracked only through the mcp__features__ tools; a feature counts as done only when you mark it passing.',
    role === 'coding' || role === 'regression' ? verify : '',
    'Commands run through a guard that blocks commands outside an allowlist; if one is refused, use another way rather than retrying it.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** What an earlier initializer session left, for a session that continues its backlog. */
export interface BacklogSoFar {
  /** The features that exist (id and name). */
  features: { id: number; name: string }[];
  /** Why the backlog is not complete yet. */
  problems: string[];
}

function continuation(so: BacklogSoFar): string {
  const shown = so.features.slice(0, 300);
  const list = shown.map((f) => `  #${f.id} ${f.name}`).join('\n');
  const more =
    so.features.length > shown.length ? `\n  … and ${so.features.length - shown.length} more` : '';
  return `
An earlier initializer session did not finish the backlog: ${so.problems.join('; ')}.
Continue it; do not start over. These ${so.features.length} features already exist and must not be created again:
${list}${more}
Add only what is missing (later batches refer to existing features with depends_on_ids), and fix the dependency problems named above. Leave init.sh and the skeleton as they are if they exist.
`;
}

export function initializerPrompt(options: {
  yolo: boolean;
  attempt?: number;
  continuing?: BacklogSoFar | null;
}): string {
  return `${sessionMarker('initializer', null, options.attempt ?? 1)}

You are setting up a new project. The spec is in ./app_spec.txt.
${options.continuing ? continuation(options.continuing) : ''}
1. Read app_spec.txt completely. If it states how many features it wants (for example in a <feature_count> element), create exactly that many; otherwise choose a number that covers everything in it, with each feature small enough to implement and verify in one session.
2. Turn the spec into a backlog with ${T('feature_create_bulk')}. Each feature needs a category, a short name, a description, and concrete verification steps a tester can follow. List foundations first (data model, server, layout) and record ordering with depends_on_indices (0-based positions of earlier items in the same call). Send large backlogs in batches of about 50; a later batch refers to features from earlier batches with depends_on_ids. Keep dependencies to what is really needed so work can run in parallel.
3. Check the result with ${T('feature_get_stats')}, and ${T('feature_get_blocked')} if something looks wrong; fix dependency mistakes with ${T('feature_set_dependencies')}.
4. Write ./init.sh: an idempotent script that installs dependencies and starts the development servers in the background, printing how to reach the app. Make it executable with chmod +x init.sh.
5. Create the project skeleton the spec implies${options.yolo ? ', including lint, type-check and test scripts' : ''}, run git init if needed, and commit everything.

Do not implement features in this session. End with a short summary of what you created.`;
}

function history(feature: Feature): string {
  const lines: string[] = [];
  if (feature.attempts > 0)
    lines.push(
      `Earlier sessions tried this feature ${feature.attempts} time(s) without finishing it.`,
    );
  if (feature.lastError) lines.push(`Last recorded problem: ${feature.lastError}`);
  if (feature.humanInputResponse) {
    lines.push('A human answered a question about this feature:');
    for (const [key, value] of Object.entries(feature.humanInputResponse))
      lines.push(`  ${key}: ${String(value)}`);
  }
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}

export function codingPrompt(options: {
  feature: Feature;
  yolo: boolean;
  resumed: boolean;
  attempt: number;
}): string {
  const f = options.feature;
  const id = f.id;
  const verify = options.yolo
    ? `Verify it without a browser: run the project's linter, type checker and tests (add tests for this feature). All must pass.`
    : `Verify it end to end as a user would: start the app (./init.sh) and exercise every step below through the UI or the real HTTP endpoints, and run the automated tests.`;
  return `${sessionMarker('coding', id, options.attempt)}

Your job in this session is feature #${id} only: "${f.name}". Nightshift has already assigned it to you; do not work on any other feature.
${options.resumed ? '\nA previous session was interrupted while working on this feature. Check git status and git log first and continue from what is already there.\n' : ''}${history(f)}
1. Call ${T('feature_claim_and_get')} with feature_id ${id} to confirm the assignment and read the feature.
2. Get oriented: read app_spec.txt, the end of claude-progress.txt if it exists, and recent git log. Run ./init.sh if the project has one.
3. Implement the feature:
   Category: ${f.category}
   Description: ${f.description}
   Steps:
${f.steps.map((s, i) => `   ${i + 1}. ${s}`).join('\n')}
4. ${verify} Use real data paths, not mock data.
5. Only when it verifiably works, call ${T('feature_mark_passing')} with feature_id ${id}. Then commit your work with git and append a short note to claude-progress.txt.

If something outside the code blocks you (a missing service or tool), call ${T('feature_skip')} with feature_id ${id} and a reason, then stop.
If only a human can unblock it (a product decision, credentials, an account), call ${T('feature_request_human_input')} with feature_id ${id}, a clear question and the fields you need, then stop.
Do not mark the feature passing unless it works.`;
}

export function regressionPrompt(options: { feature: Feature; yolo: boolean }): string {
  const f = options.feature;
  const id = f.id;
  return `${sessionMarker('regression', id, 1)}

Your job in this session is to re-verify feature #${id}, "${f.name}", which is marked passing, and to repair it if it regressed. Test only this feature.

1. Call ${T('feature_claim_for_testing')} to confirm you hold it for testing.
2. Get oriented (app_spec.txt, git log) and start the app with ./init.sh if the project has one.
3. Check every step:
${f.steps.map((s, i) => `   ${i + 1}. ${s}`).join('\n')}
4. If it all works: call ${T('feature_release_testing')} with feature_id ${id} and tested_ok true. Done.
5. If it is broken: call ${T('feature_mark_failing')} with feature_id ${id} and what is broken, fix the code, verify again, call ${T('feature_mark_passing')} with feature_id ${id}, then ${T('feature_release_testing')} with feature_id ${id} and tested_ok false, and commit the fix with git.
If you cannot fix it, still call ${T('feature_release_testing')} with tested_ok false so a coding agent can take it over.`;
}

/**
 * The expander's one job: turn a spec addendum into new features on top of the existing
 * backlog. Its tools can read every feature and create new ones, nothing else (no edits, no
 * deletes, no files): the prompt says so, so the model does not plan work it cannot do.
 */
export function expanderPrompt(options: {
  addendum: string;
  requestedAt: string;
  existing: { id: number; name: string; category: string; passes: boolean }[];
}): string {
  const shown = options.existing.slice(0, 400);
  const list = shown
    .map((f) => `  #${f.id} [${f.category}] ${f.name}${f.passes ? ' (passing)' : ''}`)
    .join('\n');
  const more =
    options.existing.length > shown.length
      ? `\n  … and ${options.existing.length - shown.length} more (see ${T('feature_get_graph')})`
      : '';
  return `${sessionMarker('expander', null, 1)}

The user has extended this project. Your job in this session is to add the features the addendum below asks for, and nothing else.

The addendum (written ${options.requestedAt}; it is also appended to app_spec.txt under a dated heading):
<addendum>
${options.addendum}
</addendum>

The backlog already has ${options.existing.length} feature(s):
${list || '  (none yet)'}${more}

1. Read app_spec.txt for context if you need it, and ${T('feature_get_by_id')} for the details of an existing feature the addendum touches.
2. Decide which new features the addendum needs. Do not re-create what already exists: a feature listed above stays as it is, even if the addendum mentions it. Each new feature must be small enough to implement and verify in one session.
3. Create them with ${T('feature_create_bulk')}, in one call when you can: each with a category, a short name, a description, and concrete verification steps a tester can follow. Record what each needs: depends_on_ids for existing features (by their id above), depends_on_indices for earlier items of the same call. Keep dependencies to what is really needed.
4. Check the result with ${T('feature_get_stats')}.

You cannot edit, reorder or delete existing features, and you do not write code in this session. End with one line per feature you created.`;
}
