/**
 * Night reports of scheduled windows. A window's report covers every run its schedule started
 * in it (the first and the retries after a crash). Once the window is over and none of its runs
 * is still going, the report is sent as a notification, once; and the next time the app opens
 * it is shown there ("While you were away"), once.
 *
 * Both "once"s live in the runs' `report_seen` column as bits, so they survive restarts and a
 * window counts as done only when every run in it is: SHOWN (1) the app showed its report,
 * NOTIFIED (2) its notification went out.
 */
import type { NightReport } from '../../../contract/index.ts';
import type { DesktopNotification } from '../notifier.ts';
import type { LedgerDb } from './ledger-db.ts';
import { getRun, nightReport, windowReport } from './queries.ts';

const SHOWN = 1;
const NOTIFIED = 2;
/** Reports shown at once at most (the newest windows). */
const MAX_SHOWN = 10;

const IN_WINDOW = `project_id = ? AND origin = 'schedule' AND json_extract(window_json, '$.start') = ?`;

export interface WindowReportsDeps {
  db: LedgerDb;
  now(): number;
  isKnownProject(projectId: string): boolean;
  notify(n: DesktopNotification): void;
}

export class WindowReports {
  private readonly d: WindowReportsDeps;

  constructor(deps: WindowReportsDeps) {
    this.d = deps;
  }

  /** The report of a window that is over with no run still going; null otherwise. */
  private finished(projectId: string, windowStart: number): NightReport | null {
    const report = windowReport(this.d.db, projectId, windowStart);
    const window = report?.run.window;
    if (!report || !window || window.end > this.d.now() || report.run.endedAt === null) return null;
    return report.run.sessions > 0 ? report : null;
  }

  /**
   * After a scheduled run or its window ended: once both have, the window's report goes out as
   * a notification ("todo-app: 12 passed, 2 need you, $4.31"), once.
   */
  settle(projectId: string, windowStart: number): void {
    const report = this.finished(projectId, windowStart);
    if (!report) return;
    const fresh = this.d.db.run(
      `UPDATE runs SET report_seen = report_seen | ${NOTIFIED}
       WHERE ${IN_WINDOW} AND (report_seen & ${NOTIFIED}) = 0`,
      projectId,
      windowStart,
    );
    if (fresh === 0) return;
    this.d.notify({
      kind: 'night-report',
      title: 'Window report',
      body: report.headline,
      projectId,
    });
  }

  /**
   * Reports the app has not shown yet, newest first: every scheduled window that is over, and
   * scheduled runs whose window is unknown. Reading marks them shown.
   */
  unseen(): NightReport[] {
    const { db } = this.d;
    const windows = db.all(
      `SELECT project_id, json_extract(window_json, '$.start') AS ws, MAX(ended_at) AS last
       FROM runs WHERE origin = 'schedule' AND window_json IS NOT NULL
         AND (report_seen & ${SHOWN}) = 0
       GROUP BY project_id, ws ORDER BY last DESC`,
    );
    const reports: { at: number; report: NightReport }[] = [];
    for (const w of windows) {
      const projectId = String(w.project_id);
      const start = Number(w.ws);
      if (!this.d.isKnownProject(projectId)) continue;
      const report = this.finished(projectId, start);
      if (!report) continue;
      db.run(
        `UPDATE runs SET report_seen = report_seen | ${SHOWN} WHERE ${IN_WINDOW}`,
        projectId,
        start,
      );
      reports.push({ at: report.run.endedAt ?? 0, report });
    }
    const loose = db.all(
      `SELECT run_id, project_id FROM runs WHERE origin = 'schedule' AND window_json IS NULL
         AND ended_at IS NOT NULL AND (report_seen & ${SHOWN}) = 0`,
    );
    for (const r of loose) {
      db.run(
        `UPDATE runs SET report_seen = report_seen | ${SHOWN} WHERE run_id = ?`,
        String(r.run_id),
      );
      const run = getRun(db, String(r.run_id));
      if (run && run.sessions > 0 && this.d.isKnownProject(run.projectId))
        reports.push({ at: run.endedAt ?? 0, report: nightReport(db, run) });
    }
    return reports
      .sort((a, b) => b.at - a.at)
      .slice(0, MAX_SHOWN)
      .map((r) => r.report);
  }
}
