/**
 * The attention inbox, persisted in the ledger: things across projects that need the user.
 * An item is open until the user dismisses it or it is resolved elsewhere (a new run of the
 * project, the feature answered in the Features tab, the agent moving again). Item ids are
 * derived from what they are about, so raising the same thing twice keeps one item.
 */
import type { InboxItem, InboxKind } from '../../../contract/index.ts';
import type { LedgerDb, Row } from './ledger-db.ts';

export interface InboxRaise {
  kind: InboxKind;
  projectId: string;
  projectName: string;
  runId: string | null;
  featureId: number | null;
  title: string;
  body: string;
  at: number;
  /** Tells apart items of one kind, project and run (e.g. which window was given up). */
  key?: string;
}

export const inboxId = (
  r: Pick<InboxRaise, 'kind' | 'projectId' | 'runId' | 'featureId' | 'key'>,
): string =>
  r.kind === 'human-input'
    ? `human-input:${r.projectId}:${r.featureId ?? ''}`
    : `${r.kind}:${r.projectId}:${r.runId ?? ''}:${r.featureId ?? ''}${r.key ? `:${r.key}` : ''}`;

/** Opens an item (or refreshes an open one). A dismissed one stays dismissed. Returns if new. */
export function raiseInbox(ledger: LedgerDb, r: InboxRaise): boolean {
  const id = inboxId(r);
  const existing = ledger.get('SELECT closed_at, closed_why FROM inbox WHERE id = ?', id);
  if (existing && existing.closed_at === null) {
    ledger.run('UPDATE inbox SET title = ?, body = ? WHERE id = ?', r.title, r.body, id);
    return false;
  }
  // A human-input request that was resolved and asked again is a new question.
  if (existing && !(r.kind === 'human-input' && existing.closed_why === 'resolved')) return false;
  ledger.run(
    `INSERT INTO inbox (id, kind, project_id, project_name, run_id, feature_id, title, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET title = excluded.title, body = excluded.body,
       created_at = excluded.created_at, closed_at = NULL, closed_why = NULL`,
    id,
    r.kind,
    r.projectId,
    r.projectName,
    r.runId,
    r.featureId,
    r.title,
    r.body,
    r.at,
  );
  return true;
}

export function closeInbox(
  ledger: LedgerDb,
  id: string,
  why: 'dismissed' | 'resolved',
  at: number,
): boolean {
  return (
    ledger.run(
      'UPDATE inbox SET closed_at = ?, closed_why = ? WHERE id = ? AND closed_at IS NULL',
      at,
      why,
      id,
    ) > 0
  );
}

/** Resolves open items of a project of the given kinds (e.g. a new run resolves a crash). */
export function resolveKinds(
  ledger: LedgerDb,
  projectId: string,
  kinds: readonly InboxKind[],
  at: number,
): number {
  if (kinds.length === 0) return 0;
  return ledger.run(
    `UPDATE inbox SET closed_at = ?, closed_why = 'resolved'
     WHERE closed_at IS NULL AND project_id = ? AND kind IN (${kinds.map(() => '?').join(',')})`,
    at,
    projectId,
    ...kinds,
  );
}

const toItem = (row: Row): InboxItem => ({
  id: String(row.id),
  kind: String(row.kind) as InboxKind,
  projectId: String(row.project_id),
  projectName: String(row.project_name),
  runId: row.run_id === null ? null : String(row.run_id),
  featureId: row.feature_id === null ? null : Number(row.feature_id),
  title: String(row.title),
  body: String(row.body),
  createdAt: Number(row.created_at),
});

export function openInbox(ledger: LedgerDb): InboxItem[] {
  return ledger
    .all('SELECT * FROM inbox WHERE closed_at IS NULL ORDER BY created_at DESC')
    .map(toItem);
}

/**
 * Whether a run was the agent in `expand` mode: expander sessions and nothing else (a run that
 * works the backlog takes up an expansion too, but beside coding and regression sessions).
 */
export function isExpansionRun(ledger: LedgerDb, runId: string): boolean {
  const row = ledger.get(
    `SELECT COALESCE(SUM(role = 'expander'), 0) AS expanders,
       COALESCE(SUM(role <> 'expander'), 0) AS others
     FROM sessions WHERE run_id = ?`,
    runId,
  );
  return Number(row?.expanders ?? 0) > 0 && Number(row?.others ?? 0) === 0;
}
