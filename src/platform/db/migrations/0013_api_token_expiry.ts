import { type Kysely, sql } from 'kysely';

/**
 * API tokens expire (issue 12 point 7). A token minted by hand (an integration) gets an expiry; one
 * minted before this migration gets the default lifetime from now, so nothing stops at once. A
 * device's token (bound to one terminal or camera, issued at its registration) keeps none: it is
 * revoked with DELETE /api/tokens/:id, never silently lapses on a wall.
 *
 * `bundle:write` was mintable by any organization user and the import checked only the organizations
 * section, so a token of a training institution, exam site or enterprise could forge certificates and
 * attendance. Such tokens are revoked here: only regulators and exam authorities may hold the scope.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_token add column expires_at timestamptz`.execute(db);
  await sql`
    update api_token set expires_at = now() + interval '90 days'
    where id not in (select token_id from device where token_id is not null)`.execute(db);
  await sql`
    update api_token t set revoked_at = now()
    from organization o
    where o.id = t.organization_id and t.revoked_at is null
      and 'bundle:write' = any (t.scopes)
      and o.kind not in ('regulator', 'exam_authority')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table api_token drop column expires_at`.execute(db);
}
