import { Migration } from '@mikro-orm/migrations';

/** `idempotency_keys`: writes carried out under an `Idempotency-Key`, per user and key. */
export class Migration20261202010000_idempotency_keys extends Migration {
  override name = 'Migration20261202010000_idempotency_keys';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "idempotency_keys" ("user_id" text not null, "key" text not null, "request_hash" text not null, "response" text null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, primary key ("user_id", "key"));`,
    );
    this.addSql(
      `create index "idempotency_keys_expires_idx" on "idempotency_keys" ("expires_at");`,
    );
    this.addSql(
      `alter table "idempotency_keys" add constraint "idempotency_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "idempotency_keys" add constraint "idempotency_keys_key_check" check (char_length(key) >= 1 and char_length(key) <= 255);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
  }
}
