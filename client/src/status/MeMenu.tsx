import { useState } from 'react';
import type { Api, User } from '../api/api';
import { useMenuDetails } from '../ui/use-menu-details';
import { DndDialog } from './DndDialog';
import { StatusMarks } from './PersonMarks';
import { StatusDialog } from './StatusDialog';
import { useMyStatus } from './status-data';

/**
 * My status in the top bar: its emoji and DND mark, and a menu to set a status, pause
 * notifications, or open the notification settings.
 */
export function MeMenu({
  api,
  user,
  onSettings,
  onAbout,
}: {
  api: Api;
  user: User;
  /** Opens the notification settings (absent: not offered). */
  onSettings?: () => void;
  /** Opens the About page (the server's status and version; absent: not offered). */
  onAbout?: () => void;
}) {
  const mine = useMyStatus(api, user.id);
  const menu = useMenuDetails();
  const [dialog, setDialog] = useState<'status' | 'dnd' | null>(null);
  const close = () => setDialog(null);
  const choose = (next: 'status' | 'dnd' | 'settings' | 'about', from: HTMLElement) => {
    from.closest('details')?.removeAttribute('open');
    if (next === 'settings') onSettings?.();
    else if (next === 'about') onAbout?.();
    else setDialog(next);
  };
  const status = mine.data?.status;
  return (
    <>
      <details className="me-menu" ref={menu}>
        <summary aria-label="Your status and notifications">
          {status || mine.data?.dnd.now ? <StatusMarks status={mine.data} /> : '☺'}
        </summary>
        <div className="menu-popup">
          <button type="button" onClick={(event) => choose('status', event.currentTarget)}>
            {status ? 'Change status…' : 'Set a status…'}
          </button>
          <button type="button" onClick={(event) => choose('dnd', event.currentTarget)}>
            {mine.data?.dnd.now ? 'Notifications paused…' : 'Pause notifications…'}
          </button>
          {onSettings && (
            <button type="button" onClick={(event) => choose('settings', event.currentTarget)}>
              Notification settings…
            </button>
          )}
          {onAbout && (
            <button type="button" onClick={(event) => choose('about', event.currentTarget)}>
              About Confab
            </button>
          )}
        </div>
      </details>
      {dialog === 'status' && (
        <StatusDialog api={api} me={user.id} current={mine.data} onClose={close} />
      )}
      {dialog === 'dnd' && <DndDialog api={api} me={user.id} current={mine.data} onClose={close} />}
    </>
  );
}
