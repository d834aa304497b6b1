/**
 * A client program written against the types openapi-typescript generated from the server's
 * /openapi.json (`./generated/api.ts`), calling it with openapi-fetch: what a team with no
 * tRPC would write. Usage: `node program.ts <base URL> <token>`; prints one JSON line.
 */
import createClient from 'openapi-fetch';
import type { paths } from './generated/api.ts';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) throw new Error('usage: node program.ts <base URL> <token>');

const client = createClient<paths>({
  baseUrl,
  headers: { authorization: `Bearer ${token}` },
  // tRPC reads a query's input as JSON in ?input= (the document's `content` parameter);
  // openapi-typescript types such a parameter as the string it is sent as
  querySerializer: (query) =>
    typeof query.input === 'string' ? `input=${encodeURIComponent(query.input)}` : '',
});

const created = await client.POST('/trpc/tasks.create', {
  body: {
    title: 'Called from a generated client',
    priority: 'high',
    dueAt: '2030-01-01T09:00:00Z',
  },
});
if (!created.data) throw new Error(`tasks.create failed: ${JSON.stringify(created.error)}`);
const task = created.data.result.data;

const listed = await client.GET('/trpc/tasks.list', {
  params: { query: { input: JSON.stringify({ scope: 'owned', priority: 'high', limit: 5 }) } },
});
const listedIds = listed.data?.result.data.items.map((item) => item.id);

const statistics = await client.GET('/trpc/dashboard.statistics');
if (!statistics.data) throw new Error(`dashboard.statistics failed: ${statistics.response.status}`);
const { total, pending } = statistics.data.result.data;

const invalid = await client.POST('/trpc/tasks.create', { body: { title: '' } });
const issues = invalid.error?.error.data.issues ?? [];

/** Never called: it only has to fail to type-check where the document says so. */
export function typeErrors() {
  // @ts-expect-error: a task needs a title
  void client.POST('/trpc/tasks.create', { body: { priority: 'high' } });
  // @ts-expect-error: priority is low, medium or high
  void client.POST('/trpc/tasks.create', { body: { title: 'x', priority: 'urgent' } });
  // @ts-expect-error: a query is a GET
  void client.POST('/trpc/dashboard.statistics');
  // @ts-expect-error: the statistics have no such figure
  void statistics.data?.result.data.unknownFigure;
}

console.log(
  JSON.stringify({
    task: { id: task.id, title: task.title, status: task.status, dueAt: task.dueAt },
    listedIds,
    statistics: { total, pending },
    invalid: {
      status: invalid.response.status,
      code: invalid.error?.error.data.code,
      paths: issues.map((issue) => issue.path),
    },
  }),
);
