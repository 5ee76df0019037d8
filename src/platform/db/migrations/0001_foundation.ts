import { type Kysely, sql } from 'kysely';

/**
 * Foundation: regions, organizations, persons, staff, employments, users, sessions, API tokens,
 * policy profile versions and the hash-chained audit log.
 * `region_code` sits on every table that grows with the province (PRODUCT.md §3) so it can become
 * the distribution key later (docs/scaling.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('region')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'smallint', (c) => c.notNull().check(sql`level between 1 and 4`))
    .addColumn('parent_code', 'text', (c) => c.references('region.code'))
    .execute();
  await db.schema.createIndex('region_parent_idx').on('region').column('parent_code').execute();

  await db.schema
    .createTable('organization')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`kind in ('regulator','exam_authority','exam_site','training_institution','enterprise')`,
        ),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'char(18)', (c) => c.notNull().unique())
    .addColumn('region_code', 'text', (c) => c.notNull().references('region.code'))
    .addColumn('industry', 'text')
    .addColumn('high_risk', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('scale', 'text')
    .addColumn('address', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`status in ('active','suspended','exited')`),
    )
    .addColumn('status_decision', 'text')
    .addColumn('status_changed_at', 'timestamptz')
    /** The organization that runs it (an exam site's operator): 培考分离 checks read it. */
    .addColumn('operator_id', 'uuid', (c) => c.references('organization.id'))
    .addColumn('facilities', 'jsonb')
    .addColumn('employee_count', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index organization_region_idx on organization (region_code text_pattern_ops)`.execute(
    db,
  );
  await db.schema
    .createIndex('organization_kind_idx')
    .on('organization')
    .columns(['kind', 'status'])
    .execute();

  await db.schema
    .createTable('person')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('id_number', 'char(18)', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'date', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull().check(sql`gender in ('male','female')`))
    .addColumn('education', 'text')
    .addColumn('phone', 'text')
    /** Region of the ID number (place of household registration), not of work. */
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('person_name_idx').on('person').column('name').execute();

  await db.schema
    .createTable('staff_assignment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('duty', 'text', (c) => c.notNull())
    .addColumn('full_time', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('labor_contract', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('practice_years', 'integer')
    .addColumn('operation_items', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('staff_org_idx')
    .on('staff_assignment')
    .columns(['organization_id', 'duty'])
    .execute();
  await db.schema
    .createIndex('staff_person_idx')
    .on('staff_assignment')
    .column('person_id')
    .execute();

  await db.schema
    .createTable('employment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('post', 'text', (c) => c.notNull())
    .addColumn('operation_item_code', 'text')
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('employment_org_idx')
    .on('employment')
    .columns(['organization_id', 'post'])
    .execute();
  await db.schema
    .createIndex('employment_person_idx')
    .on('employment')
    .column('person_id')
    .execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.references('organization.id'))
    .addColumn('person_id', 'uuid', (c) => c.references('person.id'))
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('user_session')
    /** sha256 of the cookie value: a leaked table does not give working sessions. */
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('app_user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('policy_profile')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('effective_to', 'date')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('figures', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('app_user.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('region_code', 'text')
    .addColumn('before_digest', 'text')
    .addColumn('after_digest', 'text')
    .addColumn('summary', 'text')
    .addColumn('request_id', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_entity_idx')
    .on('audit_log')
    .columns(['entity_type', 'entity_id'])
    .execute();
  // Append-only at the database level too: the hash chain detects what a superuser still manages to change.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_no_update_delete before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists audit_log_no_update_delete on audit_log`.execute(db);
  await sql`drop function if exists audit_log_append_only()`.execute(db);
  for (const t of [
    'audit_log',
    'policy_profile',
    'api_token',
    'user_session',
    'app_user',
    'employment',
    'staff_assignment',
    'person',
    'organization',
    'region',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
