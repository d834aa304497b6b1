import { Migration } from '@mikro-orm/migrations';

export class Migration20261122081701_initial extends Migration {
  override name = 'Migration20261122081701_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "users" ("id" text not null, "email" text null, "name" text null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "teams" ("id" uuid not null, "name" text not null, "owner_id" text not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(`create index "teams_owner_id_idx" on "teams" ("owner_id");`);

    this.addSql(
      `create table "team_members" ("id" uuid not null, "team_id" uuid not null, "user_id" text not null, "role" text not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "team_members_user_idx" on "team_members" ("user_id") include ("team_id", "role");`,
    );
    this.addSql(
      `alter table "team_members" add constraint "team_members_team_user_unique" unique ("team_id", "user_id");`,
    );

    this.addSql(
      `create table "tasks" ("id" uuid not null, "user_id" text not null, "team_id" uuid null, "title" text not null, "description" text null, "status" text not null default 'pending', "priority" text not null default 'medium', "due_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "completed_at" timestamptz null, "version" int not null default 1, primary key ("id"));`,
    );
    this.addSql(
      `create index "tasks_user_created_idx" on "tasks" ("user_id", "created_at" desc, "id" desc) include ("status", "priority", "due_at", "completed_at");`,
    );
    this.addSql(
      `create index "tasks_team_created_idx" on "tasks" ("team_id", "created_at" desc, "id" desc) where "team_id" is not null;`,
    );

    this.addSql(
      `create table "task_shares" ("id" uuid not null, "task_id" uuid not null, "shared_with_user_id" text not null, "shared_by_user_id" text not null, "permission" text not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "task_shares_recipient_idx" on "task_shares" ("shared_with_user_id", "permission") include ("task_id");`,
    );
    this.addSql(`create index "task_shares_shared_by_idx" on "task_shares" ("shared_by_user_id");`);
    this.addSql(
      `alter table "task_shares" add constraint "task_shares_task_recipient_unique" unique ("task_id", "shared_with_user_id");`,
    );

    this.addSql(
      `create table "conversations" ("id" uuid not null, "user_id" text not null, "title" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "conversations_user_created_idx" on "conversations" ("user_id", "created_at" desc, "id" desc);`,
    );

    this.addSql(
      `create table "messages" ("id" uuid not null, "conversation_id" uuid not null, "user_id" text not null, "role" text not null, "content" text not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `create index "messages_conversation_created_idx" on "messages" ("conversation_id", "created_at", "id");`,
    );
    this.addSql(`create index "messages_user_idx" on "messages" ("user_id");`);

    this.addSql(
      `alter table "users" add constraint "users_email_length" check (char_length(email) <= 320);`,
    );
    this.addSql(
      `alter table "users" add constraint "users_name_length" check (char_length(name) <= 200);`,
    );
    this.addSql(
      `alter table "users" add constraint "users_id_check" check (char_length(id) >= 1 and char_length(id) <= 255);`,
    );

    this.addSql(
      `alter table "teams" add constraint "teams_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "teams" add constraint "teams_name_check" check (char_length(name) >= 1 and char_length(name) <= 100);`,
    );

    this.addSql(
      `alter table "team_members" add constraint "team_members_team_id_foreign" foreign key ("team_id") references "teams" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "team_members" add constraint "team_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "team_members" add constraint "team_members_role_check" check ("role" in ('owner', 'admin', 'member'));`,
    );

    this.addSql(
      `alter table "tasks" add constraint "tasks_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_team_id_foreign" foreign key ("team_id") references "teams" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_completed_at_matches_status" check ((status = 'completed') = (completed_at is not null));`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_version_positive" check (version >= 1);`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_title_check" check (char_length(title) >= 1 and char_length(title) <= 200);`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_description_check" check (char_length(description) <= 10000);`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_status_check" check ("status" in ('pending', 'completed'));`,
    );
    this.addSql(
      `alter table "tasks" add constraint "tasks_priority_check" check ("priority" in ('low', 'medium', 'high'));`,
    );

    this.addSql(
      `alter table "task_shares" add constraint "task_shares_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_shares" add constraint "task_shares_shared_with_user_id_foreign" foreign key ("shared_with_user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_shares" add constraint "task_shares_shared_by_user_id_foreign" foreign key ("shared_by_user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "task_shares" add constraint "task_shares_permission_check" check ("permission" in ('view', 'edit'));`,
    );

    this.addSql(
      `alter table "conversations" add constraint "conversations_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "conversations" add constraint "conversations_title_check" check (char_length(title) <= 200);`,
    );

    this.addSql(
      `alter table "messages" add constraint "messages_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_content_check" check (char_length(content) >= 1 and char_length(content) <= 100000);`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_role_check" check ("role" in ('user', 'assistant', 'system', 'tool'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "teams" drop constraint "teams_owner_id_foreign";`);
    this.addSql(`alter table "team_members" drop constraint "team_members_user_id_foreign";`);
    this.addSql(`alter table "tasks" drop constraint "tasks_user_id_foreign";`);
    this.addSql(
      `alter table "task_shares" drop constraint "task_shares_shared_with_user_id_foreign";`,
    );
    this.addSql(
      `alter table "task_shares" drop constraint "task_shares_shared_by_user_id_foreign";`,
    );
    this.addSql(`alter table "conversations" drop constraint "conversations_user_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_user_id_foreign";`);
    this.addSql(`alter table "team_members" drop constraint "team_members_team_id_foreign";`);
    this.addSql(`alter table "tasks" drop constraint "tasks_team_id_foreign";`);
    this.addSql(`alter table "task_shares" drop constraint "task_shares_task_id_foreign";`);
    this.addSql(`alter table "messages" drop constraint "messages_conversation_id_foreign";`);

    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "teams" cascade;`);
    this.addSql(`drop table if exists "team_members" cascade;`);
    this.addSql(`drop table if exists "tasks" cascade;`);
    this.addSql(`drop table if exists "task_shares" cascade;`);
    this.addSql(`drop table if exists "conversations" cascade;`);
    this.addSql(`drop table if exists "messages" cascade;`);
  }
}
