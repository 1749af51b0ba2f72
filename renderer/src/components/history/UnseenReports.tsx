import type { ReactNode } from 'react';
import { dismissUnseenReports } from '../../actions/ledger.ts';
import { useLedger } from '../../stores/ledger.ts';
import { Dialog } from '../Dialog.tsx';
import { ReportView } from './ReportView.tsx';

/** Reports of scheduled runs that ended since the app was last open, shown once. */
export function UnseenReports(): ReactNode {
  const unseen = useLedger((s) => s.unseen);
  if (unseen.length === 0) return null;
  return (
    <Dialog title="While you were away" onClose={dismissUnseenReports} wide>
      {unseen.map((r) => (
        <ReportView key={r.run.runId} report={r} />
      ))}
      <div className="form-actions">
        <button type="button" className="button primary" onClick={dismissUnseenReports}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
