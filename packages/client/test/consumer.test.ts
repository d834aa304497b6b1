/**
 * The client as an app installs it: the three packages are built and packed, and a fresh
 * project outside the workspace installs the client's tarball (with its peers, from the
 * registry) and nothing of the server. Its program is type-checked by `tsc` (strict, against
 * the packed declarations) and run against a live server: it creates a task, reads the
 * statistics and receives a live update. The built files are read to prove that they import
 * no server code.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, useClientTestServer } from './server.ts';

const run = promisify(execFile);
const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = resolve(clientDir, '..');
const started = performance.now();

function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[consumer test +${seconds}s] ${message}`);
}

/** Runs a command; its output is shown only when it fails. */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
    );
  }
}

/** The module specifiers a built file imports (static, dynamic and re-exports), comments aside. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const match of code.matchAll(
    /(?:^|[\s;}])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?\(?\s*['"]([^'"]+)['"]/g,
  )) {
    if (match[1]) found.add(match[1]);
  }
  return [...found].sort();
}

const SERVER_CODE = /^(@taskpulse\/(core|trpc-server)|@mikro-orm\/|pg$|pg\/|pino|kysely|jose)/;

const CONSUMER_PROGRAM = `import {
  createTaskpulseClient,
  getTaskpulseErrorCode,
  getTaskpulseIssues,
  type LiveSnapshot,
  type RouterInputs,
  type Statistics,
  type TaskDto,
} from '@taskpulse/client';
import { EventSource } from 'eventsource';

// compile-time proof that the packed types are real types, not \`any\` from a missing import
type IsAny<T> = 0 extends 1 & T ? true : false;
const real: [IsAny<TaskDto>, IsAny<Statistics>, IsAny<LiveSnapshot>, IsAny<RouterInputs>] = [
  false,
  false,
  false,
  false,
];
void real;

const [url, token] = process.argv.slice(2);
if (!url || !token) throw new Error('usage: main.ts <url> <token>');

const client = createTaskpulseClient({ url, getToken: () => token, EventSource });

// live figures: the first emission at once, then one after the write below
const snapshots: LiveSnapshot[] = [];
let onSnapshot: () => void = () => {};
const live = client.dashboard.live.subscribe(
  { timeZone: 'UTC', weekStartsOn: 1 },
  {
    onData: ({ data }) => {
      snapshots.push(data);
      onSnapshot();
    },
    onError: (error) => {
      console.error('live failed:', error.message);
      process.exit(1);
    },
  },
);
const snapshot = (predicate: (s: LiveSnapshot) => boolean) =>
  new Promise<LiveSnapshot>((resolve) => {
    const check = () => {
      const last = snapshots.at(-1);
      if (last && predicate(last)) resolve(last);
    };
    onSnapshot = check;
    check();
  });

const before = await snapshot(() => true);
const input: RouterInputs['tasks']['create'] = { title: 'Packed and shipped', priority: 'high' };
const task: TaskDto = await client.tasks.create.mutate(input);
const statistics: Statistics = await client.dashboard.statistics.query();
const after = await snapshot((s) => s.statistics.total === before.statistics.total + 1);
live.unsubscribe();

let invalid: unknown;
try {
  // @ts-expect-error the packed types refuse a title that is not a string
  await client.tasks.create.mutate({ title: 42 });
} catch (error) {
  invalid = error;
}
// @ts-expect-error the packed types know no such procedure
void client.tasks.craete;

console.log(
  JSON.stringify({
    task: { title: task.title, priority: task.priority },
    statistics,
    live: { before: before.statistics.total, after: after.statistics.total },
    invalid: { code: getTaskpulseErrorCode(invalid), paths: getTaskpulseIssues(invalid).map((i) => i.path) },
  }),
);
process.exit(0);
`;

// type-checked only: the React entry's declarations resolve from the tarball too
const CONSUMER_REACT = `import { QueryClient, useQuery } from '@tanstack/react-query';
import { createTaskpulseClient, type Statistics } from '@taskpulse/client';
import {
  type LiveDashboardStatus,
  TaskpulseProvider,
  useLiveDashboard,
  useTaskpulse,
} from '@taskpulse/client/react';
import { createElement } from 'react';

type IsAny<T> = 0 extends 1 & T ? true : false;
const real: [IsAny<LiveDashboardStatus>, IsAny<ReturnType<typeof useTaskpulse>>] = [false, false];
void real;

export function useFigures(): { total: number | undefined; status: LiveDashboardStatus } {
  const taskpulse = useTaskpulse();
  const statistics = useQuery(taskpulse.dashboard.statistics.queryOptions());
  const stats: Statistics | undefined = statistics.data;
  const live = useLiveDashboard({ timeZone: 'Europe/Berlin' });
  return { total: live.data?.statistics.total ?? stats?.total, status: live.status };
}

export const app = createElement(TaskpulseProvider, {
  client: createTaskpulseClient({ url: '/' }),
  queryClient: new QueryClient(),
});
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    // as most apps (and \`tsc --init\`) do: @trpc/server's own declarations do not pass
    // skipLibCheck: false (its ws adapter's types). What would hide a broken type of ours (an
    // unresolved import turning into \`any\`) is caught by the program's \`IsAny\` checks and
    // \`@ts-expect-error\` lines, and by the test that reads the declarations' imports.
    skipLibCheck: true,
    noEmit: true,
  },
  include: ['*.ts'],
};

describe.skipIf(!postgresAvailable)('the packed client in a fresh project [postgres]', () => {
  const server = useClientTestServer();
  let work: string | undefined;
  let consumer = '';
  const tarballs: Record<string, string> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'taskpulse-consumer-'));
    const packs = join(work, 'packs');
    progress('building core, trpc-server and client (tsup, size-limit)');
    await sh(
      'pnpm',
      [
        '--filter',
        '@taskpulse/core',
        '--filter',
        '@taskpulse/trpc-server',
        '--filter',
        '@taskpulse/client',
        'run',
        'build',
      ],
      packagesDir,
    );
    progress('packing the three packages');
    for (const name of ['core', 'trpc-server', 'client']) {
      await sh('pnpm', ['pack', '--pack-destination', packs], join(packagesDir, name));
    }
    for (const file of await readdir(packs)) {
      const name = /^taskpulse-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(file)?.[1];
      if (name) tarballs[name] = join(packs, file);
    }

    consumer = join(work, 'consumer');
    await mkdir(consumer, { recursive: true });
    const pkg = {
      name: 'taskpulse-consumer',
      private: true,
      type: 'module',
      dependencies: {
        '@taskpulse/client': `file:${tarballs.client}`,
        // the client's peers, at the versions it declares
        '@trpc/client': '11.22.1',
        '@trpc/server': '11.22.1',
        // its optional peers, for the React entry
        '@tanstack/react-query': '5.108.0',
        '@trpc/tanstack-react-query': '11.22.1',
        react: '19.3.1',
        // Node has no EventSource of its own
        eventsource: '5.1.5',
      },
      devDependencies: {
        '@types/node': '24.19.2',
        '@types/react': '19.3.0',
        typescript: '6.0.3',
      },
    };
    await writeFile(join(consumer, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    await writeFile(join(consumer, 'main.ts'), CONSUMER_PROGRAM);
    await writeFile(join(consumer, 'react-app.ts'), CONSUMER_REACT);
    progress('npm install of the client tarball and its peers in a fresh project');
    await sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      consumer,
    );
    progress('installed');
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('built files import no server code, and the client tarball holds only dist', async () => {
    for (const file of ['index.js', 'react.js', 'index.d.ts', 'react.d.ts']) {
      const source = await readFile(join(clientDir, 'dist', file), 'utf8');
      const imports = importsOf(source);
      expect(imports.length, `${file} imports something`).toBeGreaterThan(0);
      expect(
        imports.filter((specifier) => SERVER_CODE.test(specifier)),
        file,
      ).toEqual([]);
    }
    expect(importsOf(await readFile(join(clientDir, 'dist', 'index.js'), 'utf8'))).toEqual([
      '@trpc/client',
      '@trpc/server/observable',
    ]);
    const listing = await sh('tar', ['-tzf', tarballs.client ?? ''], clientDir);
    const files = listing.trim().split('\n').sort();
    expect(
      files.filter((file) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$)/.test(file)),
    ).toEqual([]);
    const packed = JSON.parse(
      await sh('tar', ['-xzOf', tarballs.client ?? '', 'package/package.json'], clientDir),
    );
    expect(Object.keys(packed.dependencies ?? {})).toEqual([]);
    expect(Object.keys(packed.peerDependencies).sort()).toEqual([
      '@tanstack/react-query',
      '@trpc/client',
      '@trpc/server',
      '@trpc/tanstack-react-query',
      'react',
    ]);
  });

  it('installs without any server package', async () => {
    const installed = new Set(await readdir(join(consumer, 'node_modules')));
    for (const name of ['pg', 'pino', 'zod', 'kysely', '@mikro-orm']) {
      expect(installed.has(name), name).toBe(false);
    }
    expect(await readdir(join(consumer, 'node_modules', '@taskpulse'))).toEqual(['client']);
  });

  it('type-checks a strict consumer program against the packed declarations', async () => {
    progress('tsc --noEmit in the consumer project');
    await sh(
      process.execPath,
      [join(consumer, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      consumer,
    );
    progress('type-checked');
  });

  it('creates a task, reads the statistics and receives a live update from a live server', async () => {
    progress('running the consumer program against the server');
    const token = server.tokens.issue('consumer');
    const output = await sh(process.execPath, ['main.ts', server.directUrl, token], consumer);
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    expect(result).toEqual({
      task: { title: 'Packed and shipped', priority: 'high' },
      statistics: { total: 1, pending: 1, completed: 0, shared: 0, overdue: 0 },
      live: { before: 0, after: 1 },
      invalid: { code: 'BAD_REQUEST', paths: [['title']] },
    });
    progress('done');
  });
});
