import { mkdir, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Taskpulse } from '../create-taskpulse.ts';
import { TaskpulseError } from '../errors/index.ts';
import { createOrm, databaseKindOf } from './open.ts';

/** What PGlite's connection gives of itself (`@mikro-orm/pglite`'s `getNativeClient()`). */
interface NativePglite {
  dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
}

/**
 * A backup of the embedded database (PGlite) taken while it runs: PGlite's `dumpDataDir()`, a
 * gzipped tarball of its whole data folder, consistent (PGlite runs one statement at a time, and
 * the dump waits for the one running). Write it to a file; {@link restoreEmbeddedDatabase} makes
 * a data folder from it. On a PostgreSQL server, use `pg_dump` instead (`VALIDATION` error here).
 *
 * @example
 * ```ts
 * const archive = await backupEmbeddedDatabase(tp);
 * await writeFile('taskpulse-backup.tar.gz', Buffer.from(await archive.arrayBuffer()));
 * ```
 */
export async function backupEmbeddedDatabase(tp: Taskpulse): Promise<Blob> {
  if (databaseKindOf(tp.orm) !== 'pglite') {
    throw new TaskpulseError(
      'VALIDATION',
      'backupEmbeddedDatabase: this taskpulse runs on a PostgreSQL server: back it up with pg_dump (see the README, "Backups").',
    );
  }
  const connection = tp.orm.driver.getConnection() as unknown as {
    getNativeClient(): Promise<NativePglite>;
  };
  const pglite = await connection.getNativeClient();
  return pglite.dumpDataDir('gzip');
}

/**
 * Makes the data folder `dataDir` of the embedded database from a backup of
 * {@link backupEmbeddedDatabase} (or any archive of PGlite's `dumpDataDir()`). The folder must be
 * empty or absent, so that nothing is overwritten; open it afterwards with
 * `createTaskpulse({ database: { embedded: { dataDir } } })`.
 *
 * @example
 * ```ts
 * await restoreEmbeddedDatabase(new Blob([await readFile('taskpulse-backup.tar.gz')]), './data-restored');
 * ```
 */
export async function restoreEmbeddedDatabase(archive: Blob, dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new TaskpulseError(
      'VALIDATION',
      `restoreEmbeddedDatabase: ${dataDir} is not empty: restore into an empty or new folder, so that nothing is overwritten.`,
      { issues: [{ path: ['dataDir'], message: 'is not empty' }] },
    );
  }
  await mkdir(dirname(dataDir), { recursive: true });
  // PGlite unzips an archive only when told by its type; one read back from a file has none
  const head = new Uint8Array(await archive.slice(0, 2).arrayBuffer());
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const typed = new Blob([await archive.arrayBuffer()], {
    type: gzipped ? 'application/x-gzip' : 'application/x-tar',
  });
  const orm = await createOrm({ embedded: { dataDir } }, false, { loadDataDir: typed });
  try {
    // PGlite unpacks the archive when it starts: the first statement waits for that
    await orm.em.getConnection().execute('select 1');
  } finally {
    await orm.close(true);
  }
}
