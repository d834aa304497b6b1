/**
 * A client generated from the live server's /openapi.json, as a team without tRPC would make
 * one: openapi-typescript writes the types, TypeScript checks a small openapi-fetch program
 * against them, and the program runs against the same server (create a task, read the
 * statistics, get a validation error).
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, tokenFor, useApi } from '../harness/api.ts';

const run = promisify(execFile);
const clientDir = fileURLToPath(new URL('./client/', import.meta.url));
const generatedDir = `${clientDir}generated/`;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe.skipIf(!postgresAvailable)('a client generated from /openapi.json [postgres]', () => {
  const api = useApi();
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('openapi-user');
    const ast = await openapiTS(new URL(`${api.url}/openapi.json`));
    await mkdir(generatedDir, { recursive: true });
    await writeFile(`${generatedDir}api.ts`, astToString(ast));
  });
  afterAll(async () => {
    await rm(generatedDir, { recursive: true, force: true });
  });

  it('type-checks a program written against the generated types', async () => {
    // the program also holds @ts-expect-error lines: with types that accepted anything, they
    // would be unused, and that is an error too
    const { stdout } = await run(process.execPath, [tsc, '--noEmit', '-p', clientDir]).catch(
      (error: { stdout?: string }) => {
        throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
      },
    );
    expect(stdout).toBe('');
  });

  it('runs it against the live server: creates a task, reads the statistics, gets a validation error', async () => {
    const { stdout } = await run(process.execPath, [`${clientDir}program.ts`, api.url, token], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log(`generated client: ${stdout.trim()}`);
    expect(result.task).toMatchObject({
      title: 'Called from a generated client',
      status: 'pending',
      dueAt: '2030-01-01T09:00:00.000Z',
    });
    expect(result.listedIds).toEqual([result.task.id]);
    expect(result.statistics).toEqual({ total: 1, pending: 1 });
    expect(result.invalid).toEqual({ status: 400, code: 'BAD_REQUEST', paths: [['title']] });

    const rows = await api.tp
      .fork()
      .execute('select title from tasks where user_id = ?', ['openapi-user']);
    expect(rows).toEqual([{ title: 'Called from a generated client' }]);
  });
});
