import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { errorMessage, type Task, useTaskpulse, useTaskpulseClient } from '../api.ts';
import { FIGURE_LABELS, filterFor, type OpenFigure } from '../figures.ts';
import { formatCount, formatDue } from '../locale.ts';
import { Dialog } from './dialog.tsx';
import { useAfterWrite } from './use-after-write.ts';

const PAGE_SIZE = 50;

const ACCESS_LABEL: Record<Task['access'], string | undefined> = {
  owner: undefined,
  edit: 'shared with me to edit',
  view: 'shared with me to view',
};

function TaskItem({
  task,
  onEdit,
  onShare,
  onSaved,
}: {
  task: Task;
  onEdit: (task: Task) => void;
  onShare: (task: Task) => void;
  onSaved: (message: string) => void;
}) {
  const taskpulse = useTaskpulse();
  const afterWrite = useAfterWrite();
  const update = useMutation(taskpulse.tasks.update.mutationOptions());
  const completed = task.status === 'completed';
  const overdue = !completed && task.dueAt !== null && Date.parse(task.dueAt) < Date.now();
  const toggle = async () => {
    try {
      await update.mutateAsync({
        id: task.id,
        status: completed ? 'pending' : 'completed',
        expectedVersion: task.version,
      });
      onSaved(completed ? `Reopened “${task.title}”.` : `Completed “${task.title}”.`);
      await afterWrite();
    } catch {
      // shown below
    }
  };
  const access = ACCESS_LABEL[task.access];
  return (
    <li className="task" data-task-id={task.id}>
      <div className="task-main">
        <h3 className="task-title">{task.title}</h3>
        <p className="task-meta">
          <span className={`badge badge-${task.status}`}>
            {completed ? 'Completed' : 'Pending'}
          </span>
          <span className={`badge badge-${task.priority}`}>{task.priority} priority</span>
          {task.dueAt ? (
            <span className={overdue ? 'due due-overdue' : 'due'}>
              {overdue ? 'Overdue since ' : 'Due '}
              <time dateTime={task.dueAt}>{formatDue(task.dueAt)}</time>
            </span>
          ) : null}
          {access ? <span className="badge">{access}</span> : null}
        </p>
        {task.description ? <p className="task-description">{task.description}</p> : null}
        {update.error ? (
          <p className="form-error" role="alert">
            {errorMessage(update.error)}
          </p>
        ) : null}
      </div>
      <div className="task-actions">
        {task.access !== 'view' ? (
          <>
            <button type="button" onClick={() => void toggle()} disabled={update.isPending}>
              {completed ? 'Reopen' : 'Complete'}
              <span className="visually-hidden"> “{task.title}”</span>
            </button>
            <button type="button" onClick={() => onEdit(task)}>
              Edit<span className="visually-hidden"> “{task.title}”</span>
            </button>
          </>
        ) : null}
        {task.access === 'owner' ? (
          <button type="button" onClick={() => onShare(task)}>
            Share<span className="visually-hidden"> “{task.title}”</span>
          </button>
        ) : null}
      </div>
    </li>
  );
}

/** The list of exactly the tasks behind a figure, paged, with their actions. */
export function TaskListDialog({
  figure,
  onClose,
  onEdit,
  onShare,
  onSaved,
}: {
  figure: OpenFigure;
  onClose: () => void;
  onEdit: (task: Task) => void;
  onShare: (task: Task) => void;
  onSaved: (message: string) => void;
}) {
  const taskpulse = useTaskpulse();
  const client = useTaskpulseClient();
  const input = { ...filterFor(figure), limit: PAGE_SIZE };
  // tRPC's infiniteQueryOptions() adds `direction` to the input, which tasks.list's strict
  // schema refuses; so the pages are fetched here, under the same query key
  const query = useInfiniteQuery({
    queryKey: taskpulse.tasks.list.infiniteQueryKey(input),
    queryFn: ({ pageParam, signal }) =>
      client.tasks.list.query(pageParam ? { ...input, cursor: pageParam } : input, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const tasks = query.data?.pages.flatMap((page) => page.items) ?? [];
  const label = FIGURE_LABELS[figure.key];
  return (
    <Dialog
      wide
      title={label}
      description={
        query.data
          ? `${formatCount(tasks.length)} ${tasks.length === 1 ? 'task' : 'tasks'}${query.hasNextPage ? ' so far' : ''}, newest first.`
          : undefined
      }
      onClose={onClose}
    >
      {query.error && !query.data ? (
        <div className="query-error" role="alert">
          <p>Could not load the tasks. {errorMessage(query.error)}</p>
          <button type="button" onClick={() => void query.refetch()}>
            Try again
          </button>
        </div>
      ) : !query.data ? (
        <p className="loading" role="status">
          Loading the tasks…
        </p>
      ) : tasks.length === 0 ? (
        <p className="empty">No tasks here.</p>
      ) : (
        <ul className="tasks" aria-label={label} aria-busy={query.isFetching}>
          {tasks.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              onEdit={onEdit}
              onShare={onShare}
              onSaved={onSaved}
            />
          ))}
        </ul>
      )}
      {query.hasNextPage ? (
        <button
          type="button"
          className="load-more"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </Dialog>
  );
}
