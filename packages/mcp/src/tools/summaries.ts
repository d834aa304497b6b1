import type { ShareDto, TaskDto, TeamDto } from '@taskpulse/core';

/** One task as one markdown line: what a model needs to name it and act on it. */
export function taskLine(task: TaskDto): string {
  const details = [`id ${task.id}`, `${task.priority} priority`];
  if (task.dueAt) details.push(`due ${task.dueAt}`);
  if (task.completedAt) details.push(`completed ${task.completedAt}`);
  if (task.teamId) details.push(`team ${task.teamId}`);
  if (task.access !== 'owner') details.push(`yours to ${task.access}`);
  details.push(`version ${task.version}`);
  return `- [${task.status === 'completed' ? 'x' : ' '}] ${task.title} (${details.join(', ')})`;
}

/** A share as one markdown line. */
export function shareLine(share: ShareDto): string {
  const who = share.sharedWith.name ?? share.sharedWith.email ?? share.sharedWith.id;
  return `- ${who} (user id ${share.sharedWith.id}) can ${share.permission}`;
}

/** A team as one markdown line. */
export function teamLine(team: TeamDto): string {
  return `- ${team.name} (id ${team.id}): you are ${team.role}, ${team.memberCount} member${team.memberCount === 1 ? '' : 's'}`;
}

/** The line that tells the model how to fetch the next page, or that there is none. */
export function nextPageHint(tool: string, nextCursor: string | null): string {
  return nextCursor === null
    ? 'This is the last page.'
    : `More results: call ${tool} again with the same arguments and cursor "${nextCursor}".`;
}

/** `n thing` or `n things`. */
export function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/** A summary of items, at most `shown` of them as lines. */
export function listed<T>(items: readonly T[], line: (item: T) => string, shown = 50): string[] {
  const lines = items.slice(0, shown).map(line);
  if (items.length > shown)
    lines.push(`- … and ${items.length - shown} more (see the structured result)`);
  return lines;
}
