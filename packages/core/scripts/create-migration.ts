/**
 * Generates a migration from the difference between the entities and the committed
 * migrations, into src/db/migrations. Usage: pnpm --filter @taskpulse/core migration:create <name>
 * Runs against a throw-away in-memory PGlite, so it needs no server.
 */
import { createOrm } from '../src/db/open.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: migration:create <snake_case_name>');
  process.exit(2);
}
const orm = await createOrm({ embedded: {} }, false);
try {
  await orm.migrator.up();
  const path = new URL('../src/db/migrations', import.meta.url).pathname;
  const result = await orm.migrator.create(path, false, false, name);
  if (!result.fileName)
    console.log('The entities and the migrations already agree: nothing to generate.');
  else console.log(`Created ${result.fileName}: add it to src/db/migrations/index.ts`);
} finally {
  await orm.close();
}
