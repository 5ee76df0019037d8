import { type Kysely, sql } from 'kysely';

/**
 * Exams (PRODUCT.md §2.3): the question bank and paper blueprints of exam authorities, exam plans and
 * their sessions at exam sites, registrations with the eligibility evidence frozen on them, check-in,
 * the machine theory exam (a paper drawn per candidate, answers autosaved one row per question),
 * practical scoring by subject, and the patrol log.
 *
 * Two rules live in the database as well as in the services, because two requests racing must not
 * both win: one registration per person and plan, and one unfinished practical scoring per examiner.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table question (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references organization(id),
      region_code text not null,
      item_code text not null,
      kind text not null check (kind in ('single','multiple','judge')),
      stem text not null,
      options text[] not null,
      answer smallint[] not null,
      knowledge_point text not null,
      difficulty smallint not null check (difficulty between 1 and 5),
      status text not null default 'active' check (status in ('active','retired')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint question_stem_unique unique (authority_id, item_code, stem)
    )`.execute(db);
  await sql`create index question_bank_idx on question (authority_id, item_code, kind, knowledge_point) where status = 'active'`.execute(
    db,
  );

  await sql`
    create table paper_blueprint (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references organization(id),
      region_code text not null,
      item_code text not null,
      name text not null,
      duration_minutes integer not null,
      pass_mark integer not null,
      parts jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table exam_plan (
      id uuid primary key default gen_random_uuid(),
      authority_id uuid not null references organization(id),
      region_code text not null,
      certificate_kind text not null check (certificate_kind in ('special_operation','competency')),
      item_code text not null,
      name text not null,
      blueprint_id uuid not null references paper_blueprint(id),
      status text not null default 'open' check (status in ('open','closed')),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index exam_plan_region_idx on exam_plan (region_code text_pattern_ops)`.execute(
    db,
  );

  await sql`
    create table exam_session (
      id uuid primary key default gen_random_uuid(),
      plan_id uuid not null references exam_plan(id),
      site_id uuid not null references organization(id),
      region_code text not null,
      room text not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      capacity integer not null check (capacity > 0),
      invigilator_ids uuid[] not null,
      examiner_ids uuid[] not null,
      results_published_at timestamptz,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at)
    )`.execute(db);
  await sql`create index exam_session_plan_idx on exam_session (plan_id)`.execute(db);
  await sql`create index exam_session_site_idx on exam_session (site_id, starts_at)`.execute(db);

  await sql`
    create table exam_registration (
      id uuid primary key default gen_random_uuid(),
      plan_id uuid not null references exam_plan(id),
      session_id uuid not null references exam_session(id),
      person_id uuid not null references person(id),
      region_code text not null,
      registered_by_organization_id uuid references organization(id),
      attempt smallint not null,
      theory_carried boolean not null default false,
      eligibility jsonb not null,
      status text not null default 'registered' check (status in ('registered','checked_in','withdrawn')),
      checked_in_at timestamptz,
      checkin_decision text,
      checkin_score double precision,
      checkin_verification_id uuid references face_verification(id),
      override_reason text,
      override_by text,
      theory_score numeric(5,2),
      practical_score numeric(5,2),
      practical_veto text,
      cancelled_reason text,
      result text check (result in ('pass','fail','cancelled','absent')),
      created_at timestamptz not null default now(),
      constraint exam_registration_once unique (plan_id, person_id)
    )`.execute(db);
  await sql`create index exam_registration_person_idx on exam_registration (person_id)`.execute(db);
  await sql`create index exam_registration_session_idx on exam_registration (session_id)`.execute(
    db,
  );

  await sql`
    create table theory_attempt (
      id uuid primary key default gen_random_uuid(),
      registration_id uuid not null unique references exam_registration(id),
      paper jsonb not null,
      client_token text not null,
      started_at timestamptz not null,
      deadline_at timestamptz not null,
      submitted_at timestamptz,
      auto_submitted boolean not null default false,
      score numeric(5,2)
    )`.execute(db);

  // The sweep that submits papers whose time ran out reads only the open ones.
  await sql`create index theory_attempt_open_idx on theory_attempt (deadline_at) where submitted_at is null`.execute(
    db,
  );

  await sql`
    create table theory_answer (
      attempt_id uuid not null references theory_attempt(id),
      position integer not null,
      choice smallint[] not null,
      saved_at timestamptz not null,
      primary key (attempt_id, position)
    )`.execute(db);

  await sql`
    create table practical_score (
      id uuid primary key default gen_random_uuid(),
      registration_id uuid not null references exam_registration(id),
      subject_code text not null,
      task_code text not null,
      examiner_person_id uuid references person(id),
      started_at timestamptz,
      scored_at timestamptz,
      points numeric(5,2),
      veto_item text,
      note text,
      constraint practical_score_once unique (registration_id, subject_code)
    )`.execute(db);
  await sql`create unique index practical_score_examiner_busy on practical_score (examiner_person_id) where started_at is not null and scored_at is null`.execute(
    db,
  );

  await sql`
    create table patrol_event (
      id uuid primary key default gen_random_uuid(),
      session_id uuid not null references exam_session(id),
      registration_id uuid references exam_registration(id),
      region_code text not null,
      kind text not null check (kind in ('observation','warning','cancel')),
      note text not null,
      recorded_by text not null,
      at timestamptz not null
    )`.execute(db);
  await sql`create index patrol_event_session_idx on patrol_event (session_id, at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'patrol_event',
    'practical_score',
    'theory_answer',
    'theory_attempt',
    'exam_registration',
    'exam_session',
    'exam_plan',
    'paper_blueprint',
    'question',
  ]) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
}
