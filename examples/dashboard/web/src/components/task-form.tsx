import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage, type Task, useTaskpulse } from '../api.ts';
import { fromDateTimeLocal, toDateTimeLocal } from '../locale.ts';
import { Dialog } from './dialog.tsx';
import { useAfterWrite } from './use-after-write.ts';

type Priority = Task['priority'];

/** Adds a task (without `task`) or edits one. */
export function TaskFormDialog({
  task,
  onClose,
  onSaved,
}: {
  task?: Task;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const taskpulse = useTaskpulse();
  const afterWrite = useAfterWrite();
  const id = useId();
  const [title, setTitle] = useState(task?.title ?? '');
  const [description, setDescription] = useState(task?.description ?? '');
  const [priority, setPriority] = useState<Priority>(task?.priority ?? 'medium');
  const [due, setDue] = useState(toDateTimeLocal(task?.dueAt ?? null));
  const create = useMutation(taskpulse.tasks.create.mutationOptions());
  const update = useMutation(taskpulse.tasks.update.mutationOptions());
  const pending = create.isPending || update.isPending;
  const error = create.error ?? update.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fields = {
      title: title.trim(),
      description: description.trim() === '' ? null : description,
      priority,
      dueAt: fromDateTimeLocal(due),
    };
    try {
      if (task) {
        await update.mutateAsync({ id: task.id, ...fields, expectedVersion: task.version });
        onSaved(`Saved “${fields.title}”.`);
      } else {
        await create.mutateAsync(fields);
        onSaved(`Added “${fields.title}”.`);
      }
      await afterWrite();
      onClose();
    } catch {
      // shown below from the mutation's error
    }
  };

  return (
    <Dialog title={task ? 'Edit task' : 'New task'} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          name="title"
          required
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          autoComplete="off"
        />
        <label htmlFor={`${id}-description`}>
          Description <span className="hint">(optional)</span>
        </label>
        <textarea
          id={`${id}-description`}
          name="description"
          maxLength={10_000}
          rows={3}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          name="priority"
          value={priority}
          onChange={(event) => setPriority(event.target.value as Priority)}
        >
          <option value="high">High</option>
          <option value="medium">Medium</option>
          <option value="low">Low</option>
        </select>
        <label htmlFor={`${id}-due`}>
          Due <span className="hint">(optional, your local time)</span>
        </label>
        <input
          id={`${id}-due`}
          name="due"
          type="datetime-local"
          value={due}
          onChange={(event) => setDue(event.target.value)}
        />
        {error ? (
          <p className="form-error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={pending}>
            {pending ? 'Saving…' : task ? 'Save' : 'Add task'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
