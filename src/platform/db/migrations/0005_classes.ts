import { type Kysely, sql } from 'kysely';

/**
 * Classes (一期), their roster and teaching plan, the evidence hours are derived from (make-up
 * attendance entered by a head teacher, recordings, online sessions with face checks and verified
 * segments), the archive documents of 一期一档 and the seal written when a class is closed.
 * Nobody stores hours: the ledger is computed from these rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;

  await db.schema
    .createTable('training_class')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('operation_item_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('initial','refresher','review')`),
    )
    .addColumn('head_teacher_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date', (c) => c.notNull())
    .addColumn('syllabus_theory_hours', 'real', (c) => c.notNull())
    .addColumn('syllabus_practical_hours', 'real', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open','closed')`),
    )
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('training_class_org_code_unique', ['organization_id', 'code'])
    .addCheckConstraint('training_class_dates', sql`start_date <= end_date`)
    .execute();
  await sql`create index training_class_region_idx on training_class (region_code text_pattern_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('class_trainee')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('class_id', 'uuid', (c) => c.notNull().references('training_class.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('class_trainee_unique', ['class_id', 'person_id'])
    .execute();
  await db.schema
    .createIndex('class_trainee_person_idx')
    .on('class_trainee')
    .column('person_id')
    .execute();

  await db.schema
    .createTable('lesson')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('class_id', 'uuid', (c) => c.notNull().references('training_class.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) =>
      c.notNull().check(sql`mode in ('theory','practical','online')`),
    )
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('teacher_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('room_id', 'uuid', (c) => c.references('room.id'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    /** Findings of the planning rules that warn rather than refuse, kept with the lesson. */
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint('lesson_span', sql`starts_at < ends_at`)
    .addCheckConstraint('lesson_room_offline', sql`(mode = 'online') = (room_id is null)`)
    .execute();
  await db.schema
    .createIndex('lesson_class_idx')
    .on('lesson')
    .columns(['class_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('lesson_teacher_idx')
    .on('lesson')
    .columns(['teacher_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('lesson_room_idx')
    .on('lesson')
    .columns(['room_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('attendance_makeup')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('lesson_id', 'uuid', (c) => c.notNull().references('lesson.id'))
    .addColumn('class_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('attendance_makeup_unique', ['lesson_id', 'person_id'])
    .addCheckConstraint('attendance_makeup_span', sql`starts_at < ends_at`)
    .addCheckConstraint('attendance_makeup_reason', sql`length(btrim(reason)) >= 4`)
    .execute();

  await db.schema
    .createTable('recording')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (c) => c.notNull().references('organization.id'))
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('room_id', 'uuid', (c) => c.notNull().references('room.id'))
    .addColumn('device_id', 'uuid', (c) => c.notNull().references('device.id'))
    .addColumn('device_recording_id', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('storage_uri', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('recording_device_unique', ['device_id', 'device_recording_id'])
    .addCheckConstraint('recording_span', sql`starts_at < ends_at`)
    .execute();
  await db.schema
    .createIndex('recording_room_idx')
    .on('recording')
    .columns(['room_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('online_course')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('class_id', 'uuid', (c) => c.notNull().references('training_class.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('media_kind', 'text', (c) =>
      c.notNull().check(sql`media_kind in ('video','document')`),
    )
    .addColumn('media_url', 'text', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull().check(sql`duration_seconds > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('online_session')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('class_id', 'uuid', (c) => c.notNull().references('training_class.id'))
    .addColumn('course_id', 'uuid', (c) => c.notNull().references('online_course.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    /** Where the learner was in the course when last seen; the next heartbeat may advance it by the wall time elapsed, no more. */
    .addColumn('position_seconds', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('last_passed_check_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .execute();
  await sql`create unique index online_session_one_active on online_session (person_id) where ended_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('online_session_class_idx')
    .on('online_session')
    .columns(['class_id', 'person_id'])
    .execute();

  await db.schema
    .createTable('online_face_check')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('online_session.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('passed', 'boolean', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('face_verification_id', 'uuid')
    .execute();
  await db.schema
    .createIndex('online_face_check_session_idx')
    .on('online_face_check')
    .columns(['session_id', 'checked_at'])
    .execute();

  await db.schema
    .createTable('online_segment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('online_session.id'))
    .addColumn('class_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('position_from', 'real', (c) => c.notNull())
    .addColumn('position_to', 'real', (c) => c.notNull())
    /** Only verified segments count; the others are kept as evidence with the reason. */
    .addColumn('verified', 'boolean', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addCheckConstraint('online_segment_span', sql`starts_at < ends_at`)
    .execute();
  await db.schema
    .createIndex('online_segment_class_idx')
    .on('online_segment')
    .columns(['class_id', 'person_id'])
    .execute();

  await db.schema
    .createTable('class_document')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('class_id', 'uuid', (c) => c.notNull().references('training_class.id'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('part', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`part in ('courseware_list','teaching_log','expert_check','evaluation','summary','quality_assessment')`,
        ),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('class_document_class_idx')
    .on('class_document')
    .columns(['class_id', 'part'])
    .execute();

  /** The seal of a closed class: the Merkle root (also in the audit log) and the leaf manifest that lets verify name what changed. */
  await db.schema
    .createTable('class_seal')
    .addColumn('class_id', 'uuid', (c) => c.primaryKey().references('training_class.id'))
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('leaves', 'jsonb', (c) => c.notNull())
    .addColumn('sealed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sealed_by', 'uuid')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'class_seal',
    'class_document',
    'online_segment',
    'online_face_check',
    'online_session',
    'online_course',
    'recording',
    'attendance_makeup',
    'lesson',
    'class_trainee',
    'training_class',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
