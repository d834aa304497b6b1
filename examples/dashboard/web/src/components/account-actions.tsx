import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage, useTaskpulse } from '../api.ts';
import type { Session } from '../session.ts';
import { Dialog } from './dialog.tsx';

/** The file name the server gave (`Content-Disposition`), else one of the same form. */
function fileNameOf(response: Response, userId: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const quoted = /filename="([^"]+)"/.exec(header)?.[1] ?? /filename=([^;\s]+)/.exec(header)?.[1];
  return quoted ?? `taskpulse-export-${userId}-${new Date().toISOString().slice(0, 10)}.ndjson`;
}

/**
 * "Download my data" (`GET /me/export` with the page's token, saved as a file) and "Delete my
 * account" (`me.delete`, after the person confirms in a dialog).
 */
export function AccountActions({
  session,
  onDeleted,
  onMessage,
}: {
  session: Session;
  onDeleted: (notice: string) => void;
  onMessage: (message: string) => void;
}) {
  const [downloading, setDownloading] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const download = async () => {
    setDownloading(true);
    try {
      // a link cannot send the Authorization header: fetch, then save the body as a file
      const response = await fetch('/me/export', {
        headers: { authorization: `Bearer ${session.token}` },
      });
      if (!response.ok) throw new Error(`The export failed (HTTP ${response.status}).`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = fileNameOf(response, session.user.id);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      onMessage(`Your data was saved as ${link.download}.`);
    } catch (error) {
      onMessage(error instanceof Error ? error.message : 'The export failed.');
    } finally {
      setDownloading(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="button-quiet"
        disabled={downloading}
        onClick={() => void download()}
      >
        {downloading ? 'Preparing your data…' : 'Download my data'}
      </button>
      <button type="button" className="button-quiet" onClick={() => setDeleting(true)}>
        Delete my account
      </button>
      {deleting ? (
        <DeleteAccountDialog
          session={session}
          onClose={() => setDeleting(false)}
          onDeleted={onDeleted}
        />
      ) : null}
    </>
  );
}

function DeleteAccountDialog({
  session,
  onClose,
  onDeleted,
}: {
  session: Session;
  onClose: () => void;
  onDeleted: (notice: string) => void;
}) {
  const taskpulse = useTaskpulse();
  const id = useId();
  const [confirmed, setConfirmed] = useState(false);
  const remove = useMutation(taskpulse['me.delete'].mutationOptions());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    try {
      const deleted = await remove.mutateAsync({ confirm: true });
      onDeleted(
        `${session.user.name}’s account was deleted: ${deleted.tasks} tasks, ${deleted.shares} shares, ${deleted.teams} teams, ${deleted.conversations} conversations.`,
      );
    } catch {
      // shown below
    }
  };
  return (
    <Dialog
      title="Delete my account"
      description="Your tasks, the shares of them, your teams, conversations and messages are deleted for good. Tasks others shared with you stay theirs. Download your data first to keep a copy."
      onClose={onClose}
    >
      <form className="form" onSubmit={submit}>
        <label htmlFor={`${id}-confirm`}>
          <input
            id={`${id}-confirm`}
            type="checkbox"
            checked={confirmed}
            onChange={(event) => setConfirmed(event.target.checked)}
          />{' '}
          I understand that this cannot be undone
        </label>
        {remove.error ? (
          <p className="form-error" role="alert">
            {errorMessage(remove.error)}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" className="button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button-primary"
            disabled={!confirmed || remove.isPending}
          >
            {remove.isPending ? 'Deleting…' : 'Delete my account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
