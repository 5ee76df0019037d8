import { type Kysely, sql } from 'kysely';

/**
 * A regulator's decision that lets a training institution which fails the AQ 8011 registration check
 * open new classes anyway (鲁应急: 未经信息登记不得新开展培训业务, unless the regulator decides
 * otherwise): the decision's number, the reason, the days it is valid, who granted it; revoked
 * rather than deleted, so the history of decisions stays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('registration_exemption')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'date', (c) => c.notNull())
    .addColumn('valid_to', 'date', (c) => c.notNull())
    .addColumn('granted_by', 'uuid', (c) => c.references('app_user.id'))
    .addColumn('granted_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addCheckConstraint('registration_exemption_dates', sql`valid_to >= valid_from`)
    .execute();
  await db.schema
    .createIndex('registration_exemption_org_idx')
    .on('registration_exemption')
    .columns(['organization_id', 'valid_to'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('registration_exemption').execute();
}
