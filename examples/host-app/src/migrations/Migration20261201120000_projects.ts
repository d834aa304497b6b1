import { Migration } from '@mikro-orm/migrations';

/** The app's first migration: its projects, which refer to taskpulse's users and tasks. */
export class Migration20261201120000_projects extends Migration {
  override name = 'Migration20261201120000_projects';

  override up(): void {
    this.addSql(
      `create table "projects" ("id" uuid not null, "owner_id" text not null, "name" text not null, "created_at" timestamptz not null default now(), primary key ("id"));`,
    );
    this.addSql(
      `alter table "projects" add constraint "projects_owner_name_unique" unique ("owner_id", "name");`,
    );
    this.addSql(
      `create table "project_tasks" ("task_id" uuid not null, "project_id" uuid not null, primary key ("task_id"));`,
    );
    this.addSql(`create index "project_tasks_project_id_index" on "project_tasks" ("project_id");`);
    this.addSql(
      `alter table "projects" add constraint "projects_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "projects" add constraint "projects_name_check" check (char_length(name) >= 1 and char_length(name) <= 100);`,
    );
    this.addSql(
      `alter table "project_tasks" add constraint "project_tasks_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_tasks" add constraint "project_tasks_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
  }

  override down(): void {
    this.addSql('drop table if exists "project_tasks" cascade;');
    this.addSql('drop table if exists "projects" cascade;');
  }
}
