import type { TaskpulseEntityManager } from '../db/open.ts';
import { TaskpulseError } from '../errors/index.ts';
import {
  Conversation,
  type ITask,
  Message,
  Task,
  TaskShare,
  Team,
  TeamMember,
  User,
} from '../schema/entities.ts';
import type { MessageRole, SharePermission, TaskPriority } from '../schema/limits.ts';
import { seededRandom } from './random.ts';

/** The demo users, as their identity provider would name them. */
export const DEMO_USERS = [
  { id: 'demo-alice', name: 'Alice', email: 'alice@demo.taskpulse.dev' },
  { id: 'demo-bob', name: 'Bob', email: 'bob@demo.taskpulse.dev' },
  { id: 'demo-charlie', name: 'Charlie', email: 'charlie@demo.taskpulse.dev' },
] as const;

/** A demo user's id. */
export type DemoUserId = (typeof DEMO_USERS)[number]['id'];

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /** The instant the demo is relative to: dates fall in the weeks before and after it. @default new Date() */
  now?: Date;
}

/** What {@link seedDemo} inserted, by table. */
export interface SeedSummary {
  users: number;
  tasks: number;
  taskShares: number;
  teams: number;
  teamMembers: number;
  conversations: number;
  messages: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const TITLES = [
  'Draft the launch announcement',
  'Review the pricing page',
  'Fix the flaky login test',
  'Plan the team offsite',
  'Update the onboarding checklist',
  'Answer support tickets',
  'Prepare the quarterly report',
  'Renew the TLS certificate',
  'Interview a backend candidate',
  'Write the API migration guide',
  'Clean up the staging database',
  'Book flights for the conference',
  'Refactor the billing module',
  'Record the product demo',
  'Triage new bug reports',
  'Benchmark the dashboard queries',
];

const CONVERSATIONS: { title: string; messages: [MessageRole, string][] }[] = [
  {
    title: 'Plan my week',
    messages: [
      ['system', 'You are a helpful assistant for planning tasks.'],
      ['user', 'What should I focus on this week?'],
      ['assistant', 'Start with the overdue launch announcement, then the pricing review.'],
      ['user', 'Add a reminder for the certificate renewal.'],
      ['tool', '{"created":"Renew the TLS certificate"}'],
      ['assistant', 'Done: "Renew the TLS certificate" is due on Friday.'],
    ],
  },
  {
    title: 'Summarise the bug backlog',
    messages: [
      ['user', 'Summarise the open bugs for me.'],
      ['assistant', 'There are three: the flaky login test, a billing rounding issue and a typo.'],
    ],
  },
];

/**
 * Fills an empty database with deterministic demo data for Alice, Bob and Charlie: tasks in
 * every status and priority, due dates past and future, created and completed over the last
 * weeks, a team with a member of each role, shares at both permissions, and conversations
 * with messages. The same `now` gives the same rows, ids included.
 *
 * Fails with `CONFLICT` when a demo user exists already.
 */
export async function seedDemo(
  em: TaskpulseEntityManager,
  { now = new Date() }: SeedDemoOptions = {},
): Promise<SeedSummary> {
  return em.transactional(async (em) => {
    const existing = await em.count(User, { id: { $in: DEMO_USERS.map((user) => user.id) } });
    if (existing > 0) {
      throw new TaskpulseError(
        'CONFLICT',
        'The demo data is there already: seed an empty database.',
      );
    }
    const random = seededRandom(20_261_122);
    const at = (offset: number) => new Date(now.getTime() + offset);
    const summary: SeedSummary = {
      users: 0,
      tasks: 0,
      taskShares: 0,
      teams: 0,
      teamMembers: 0,
      conversations: 0,
      messages: 0,
    };

    const users = DEMO_USERS.map((user, index) => {
      summary.users += 1;
      // the demo's sign-in issues these addresses as verified
      return em.create(User, { ...user, emailVerified: true, createdAt: at(-(60 + index) * DAY) });
    });
    const [alice, bob, charlie] = users as [
      (typeof users)[0],
      (typeof users)[0],
      (typeof users)[0],
    ];

    const teamCreated = at(-40 * DAY);
    const team = em.create(Team, {
      id: random.uuid(teamCreated),
      name: 'Launch crew',
      owner: alice,
      createdAt: teamCreated,
    });
    summary.teams += 1;
    for (const [user, role] of [
      [alice, 'owner'],
      [bob, 'admin'],
      [charlie, 'member'],
    ] as const) {
      em.create(TeamMember, {
        id: random.uuid(teamCreated),
        team,
        user,
        role,
        createdAt: teamCreated,
      });
      summary.teamMembers += 1;
    }

    const priorities: TaskPriority[] = ['low', 'medium', 'high'];
    const plan = [
      { owner: alice, count: 24 },
      { owner: bob, count: 14 },
      { owner: charlie, count: 9 },
    ];
    const tasksOf = new Map<string, ITask[]>();
    let titleIndex = 0;
    for (const { owner, count } of plan) {
      const list: ITask[] = [];
      for (let i = 0; i < count; i += 1) {
        // spread over the last five weeks, a few created today
        const createdAt =
          i < 3 ? at(-(i + 1) * HOUR) : at(-random.int(1, 35) * DAY - random.int(0, 23) * HOUR);
        const completed = i % 5 === 1 || i % 5 === 3 || (i >= 3 && random.float() < 0.3);
        const completedAt = completed
          ? new Date(
              Math.min(now.getTime() - HOUR, createdAt.getTime() + random.int(1, 10 * 24) * HOUR),
            )
          : null;
        // a third due in the past (overdue when pending), a third ahead, a third without
        const due =
          i % 3 === 0
            ? at(-random.int(1, 10) * DAY)
            : i % 3 === 1
              ? at(random.int(1, 14) * DAY)
              : null;
        const title = TITLES[titleIndex % TITLES.length] as string;
        titleIndex += 1;
        const task = em.create(Task, {
          id: random.uuid(createdAt),
          user: owner,
          team: i % 4 === 0 ? team : null,
          title,
          description: i % 2 === 0 ? `Notes for "${title}".` : null,
          status: completed ? 'completed' : 'pending',
          priority: priorities[i % 3] as TaskPriority,
          dueAt: due,
          createdAt,
          updatedAt: completedAt ?? createdAt,
          completedAt,
          version: completed ? 2 : 1,
        });
        list.push(task);
        summary.tasks += 1;
      }
      tasksOf.set(owner.id, list);
    }

    const share = (
      taskIndex: number,
      from: typeof alice,
      to: typeof alice,
      permission: SharePermission,
    ) => {
      const task = tasksOf.get(from.id)?.[taskIndex];
      if (!task) throw new Error(`demo seed: no task ${taskIndex} of ${from.id}`);
      const createdAt = new Date(task.createdAt.getTime() + HOUR);
      em.create(TaskShare, {
        id: random.uuid(createdAt),
        task,
        sharedWithUser: to,
        sharedByUser: from,
        permission,
        createdAt,
      });
      summary.taskShares += 1;
    };
    share(1, alice, bob, 'view');
    share(2, alice, bob, 'edit');
    share(5, alice, charlie, 'view');
    share(1, bob, alice, 'edit');
    share(2, bob, alice, 'view');
    share(3, bob, charlie, 'edit');
    share(1, charlie, alice, 'view');

    for (const [index, owner] of [alice, alice, bob].entries()) {
      const spec = CONVERSATIONS[index % CONVERSATIONS.length]!;
      const createdAt = at(-(index + 2) * DAY);
      const conversation = em.create(Conversation, {
        id: random.uuid(createdAt),
        user: owner,
        title: spec.title,
        createdAt,
        updatedAt: new Date(createdAt.getTime() + spec.messages.length * 60_000),
      });
      summary.conversations += 1;
      for (const [position, [role, content]] of spec.messages.entries()) {
        const sentAt = new Date(createdAt.getTime() + (position + 1) * 60_000);
        em.create(Message, {
          id: random.uuid(sentAt),
          conversation,
          user: owner,
          role,
          content,
          createdAt: sentAt,
        });
        summary.messages += 1;
      }
    }
    await em.flush();
    return summary;
  });
}
