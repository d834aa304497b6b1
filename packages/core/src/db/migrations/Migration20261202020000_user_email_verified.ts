import { Migration } from '@mikro-orm/migrations';

/**
 * `users.email_verified`: whether the stored address came from a verified claim. Addresses
 * stored before are unverified (false): they stay on their rows but no longer find a user for
 * share-by-email, and a verified claim takes them over.
 */
export class Migration20261202020000_user_email_verified extends Migration {
  override name = 'Migration20261202020000_user_email_verified';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "email_verified" boolean not null default false;`);
    this.addSql(
      `alter table "users" add constraint "users_email_verified_has_email" check ((NOT email_verified) OR (email IS NOT NULL));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "users" drop constraint if exists "users_email_verified_has_email";`);
    this.addSql(`alter table "users" drop column if exists "email_verified";`);
  }
}
