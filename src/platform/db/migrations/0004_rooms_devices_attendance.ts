import { type Kysely, sql } from 'kysely';

/**
 * Rooms of an institution, the devices in them (face terminals, cameras) and attendance events as
 * terminals upload them. An event is unique per (device, device event id): a retried upload creates
 * no duplicate. attendance_event grows by 10^9 a year per province: region_code is on it for the
 * distribution key, and it is the first table to partition by month (docs/scaling.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('room')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('theory','practical','exam')`))
    .addColumn('capacity', 'integer')
    .addColumn('area_m2', 'real')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('room_org_name_unique', ['organization_id', 'name'])
    .execute();

  await db.schema
    .createTable('device')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('room_id', 'uuid', (c) => c.notNull().references('room.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('face_terminal','camera')`))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_id', 'uuid', (c) => c.notNull().unique().references('api_token.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('device_org_serial_unique', ['organization_id', 'serial'])
    .execute();

  await db.schema
    .createTable('attendance_event')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('device_id', 'uuid', (c) => c.notNull().references('device.id'))
    .addColumn('device_event_id', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('room_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('event_type', 'text', (c) =>
      c.notNull().check(sql`event_type in ('check_in','check_out','random_check')`),
    )
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    /** The terminal's own face match score and liveness result (0..1), as it reported them. */
    .addColumn('match_score', 'real')
    .addColumn('liveness', 'real')
    .addColumn('photo_ref', 'text')
    .addUniqueConstraint('attendance_event_device_event_unique', ['device_id', 'device_event_id'])
    .execute();
  await db.schema
    .createIndex('attendance_event_room_time_idx')
    .on('attendance_event')
    .columns(['room_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('attendance_event_person_time_idx')
    .on('attendance_event')
    .columns(['person_id', 'occurred_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attendance_event').execute();
  await db.schema.dropTable('device').execute();
  await db.schema.dropTable('room').execute();
}
