/**
 * The host app's own entities. They live in the same MikroORM instance as taskpulse's, and
 * refer to them: a project belongs to one of taskpulse's users, and lists some of its tasks.
 */
import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Task, User } from '@taskpulse/core';

/** A project of one user: a name, and the tasks filed under it. */
export const Project = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    owner: () => p.manyToOne(User).fieldName('owner_id').deleteRule('cascade'),
    name: p.text().check('char_length(name) >= 1 and char_length(name) <= 100'),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  uniques: [{ name: 'projects_owner_name_unique', properties: ['owner', 'name'] }],
});
export type IProject = InferEntity<typeof Project>;

/** One task of a project (a task is in at most one project). */
export const ProjectTask = defineEntity({
  name: 'ProjectTask',
  tableName: 'project_tasks',
  properties: {
    task: () => p.oneToOne(Task).primary().owner().fieldName('task_id').deleteRule('cascade'),
    project: () => p.manyToOne(Project).fieldName('project_id').deleteRule('cascade').index(),
  },
});

/** The app's entities, to register beside taskpulse's. */
export const appEntities = [Project, ProjectTask] as const;
