/** Desktop notifications through Electron; a click runs the notifier's handler (open the project). */
import { Notification } from 'electron';
import type { NotificationPort } from '../services/notifier.ts';

/** Pass as `notifications` to createScheduling in the Electron shell. */
export function electronNotificationPort(): NotificationPort {
  // Electron drops a notification's handlers once it is garbage collected: keep each one alive
  // until it is clicked or closed.
  const live = new Set<Notification>();
  return {
    show(n, onClick) {
      if (!Notification.isSupported()) return;
      const note = new Notification({ title: n.title, body: n.body, silent: false });
      live.add(note);
      note.on('click', () => {
        live.delete(note);
        onClick();
      });
      note.on('close', () => live.delete(note));
      note.show();
    },
  };
}
