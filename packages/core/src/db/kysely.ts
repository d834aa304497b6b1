import type { InferKyselyDB } from '@mikro-orm/sql';
import type { Kysely } from 'kysely';
import type { entities } from '../schema/entities.ts';

/** The database as Kysely sees it: table and column names as SPEC.md writes them. */
export type TaskpulseDB = InferKyselyDB<(typeof entities)[number]>;
/** A Kysely instance over {@link TaskpulseDB}, bound to the entity manager's transaction. */
export type TaskpulseKysely = Kysely<TaskpulseDB>;
