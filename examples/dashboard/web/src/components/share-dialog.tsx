import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage, type Task, useTaskpulse } from '../api.ts';
import { type DemoUser, fetchDemoUsers } from '../session.ts';
import { Dialog } from './dialog.tsx';
import { QueryState } from './query-state.tsx';
import { useAfterWrite } from './use-after-write.ts';

type Permission = 'view' | 'edit';

/** The shares of one of my tasks: who sees it, and sharing it with another demo user. */
export function ShareDialog({
  task,
  me,
  onClose,
  onSaved,
}: {
  task: Task;
  me: DemoUser;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const taskpulse = useTaskpulse();
  const afterWrite = useAfterWrite();
  const id = useId();
  const shares = useQuery(taskpulse.shares.list.queryOptions({ taskId: task.id, limit: 100 }));
  const users = useQuery({
    queryKey: ['demo-users'],
    queryFn: ({ signal }) => fetchDemoUsers(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const others = (users.data ?? []).filter((user) => user.id !== me.id);
  const [userId, setUserId] = useState('');
  const [permission, setPermission] = useState<Permission>('view');
  const share = useMutation(taskpulse.shares.create.mutationOptions());
  const unshare = useMutation(taskpulse.shares.delete.mutationOptions());
  const chosen = userId || others[0]?.id || '';
  const nameOf = (user: { id: string; name: string | null }) =>
    others.find((other) => other.id === user.id)?.name ?? user.name ?? user.id;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    try {
      await share.mutateAsync({ taskId: task.id, userId: chosen, permission });
      const name = others.find((user) => user.id === chosen)?.name ?? chosen;
      onSaved(`Shared “${task.title}” with ${name} (${permission === 'view' ? 'view' : 'edit'}).`);
      await afterWrite();
    } catch {
      // shown below
    }
  };

  const stop = async (user: { id: string; name: string | null }) => {
    try {
      await unshare.mutateAsync({ taskId: task.id, userId: user.id });
      onSaved(`Stopped sharing “${task.title}” with ${nameOf(user)}.`);
      await afterWrite();
    } catch {
      // shown below
    }
  };

  const error = share.error ?? unshare.error;
  return (
    <Dialog title={`Share “${task.title}”`} onClose={onClose}>
      <h3>Shared with</h3>
      <QueryState query={shares} what="the shares">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">Nobody yet.</p>
          ) : (
            <ul className="shares" aria-label="Shared with">
              {page.items.map((item) => (
                <li key={item.id}>
                  <span>
                    {nameOf(item.sharedWith)}{' '}
                    <span className="badge">
                      {item.permission === 'view' ? 'can view' : 'can edit'}
                    </span>
                  </span>
                  <button
                    type="button"
                    className="button-quiet"
                    disabled={unshare.isPending}
                    onClick={() => void stop(item.sharedWith)}
                  >
                    Stop sharing
                    <span className="visually-hidden"> with {nameOf(item.sharedWith)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
      <form className="form" onSubmit={submit}>
        <label htmlFor={`${id}-user`}>Share with</label>
        <select
          id={`${id}-user`}
          name="user"
          value={chosen}
          onChange={(event) => setUserId(event.target.value)}
          disabled={others.length === 0}
        >
          {others.map((user) => (
            <option key={user.id} value={user.id}>
              {user.name}
            </option>
          ))}
        </select>
        <fieldset className="radios">
          <legend>They may</legend>
          <label>
            <input
              type="radio"
              name="permission"
              value="view"
              checked={permission === 'view'}
              onChange={() => setPermission('view')}
            />{' '}
            view it
          </label>
          <label>
            <input
              type="radio"
              name="permission"
              value="edit"
              checked={permission === 'edit'}
              onChange={() => setPermission('edit')}
            />{' '}
            view and edit it
          </label>
        </fieldset>
        {error ? (
          <p className="form-error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={share.isPending || !chosen}>
            {share.isPending ? 'Sharing…' : 'Share'}
          </button>
          <button type="button" onClick={onClose}>
            Done
          </button>
        </div>
      </form>
    </Dialog>
  );
}
