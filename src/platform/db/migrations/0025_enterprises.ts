import { type Kysely, sql } from 'kysely';

/**
 * Enterprises (PRODUCT.md §2.5, issue 14): what the ledger (一企一册) keeps beside an employment —
 * labour dispatch and the certificate number the enterprise declared —, every check of a declared
 * number against the certificate registry (kept as evidence, never updated), and internal training
 * (全员培训): annual plans, sessions with time, content, hours and trainer, and per-person records
 * with hours and assessment result (安全生产法 第28条), 三级安全教育 being sessions of a level.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table employment_detail (
      employment_id uuid primary key references employment(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      dispatch_company text,
      declared_certificate_number text,
      department text,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index employment_detail_org_idx on employment_detail (organization_id)`.execute(
    db,
  );

  await sql`
    create table certificate_check (
      id uuid primary key default gen_random_uuid(),
      employment_id uuid not null references employment(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      declared_number text not null,
      checked_on date not null,
      outcome text not null check (outcome in ('valid','review_due','not_found','other_holder','other_item','revoked','expired','cancelled')),
      flag text check (flag in ('fake','uncertified','expired')),
      certificate_id uuid references certificate(id),
      evidence jsonb not null,
      checked_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index certificate_check_employment_idx on certificate_check (employment_id, created_at desc)`.execute(
    db,
  );
  await sql`create index certificate_check_org_idx on certificate_check (organization_id)`.execute(
    db,
  );

  await sql`
    create table enterprise_training_plan (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null references organization(id),
      region_code text not null,
      year integer not null,
      title text not null,
      content text not null,
      planned_hours numeric(6,1) not null check (planned_hours >= 0),
      created_by text not null,
      created_at timestamptz not null default now(),
      unique (organization_id, year)
    )`.execute(db);

  await sql`
    create table enterprise_training_session (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null references organization(id),
      region_code text not null,
      plan_id uuid references enterprise_training_plan(id),
      kind text not null check (kind in ('pre_job','three_level_company','three_level_workshop','three_level_team','annual','manager','special','other')),
      title text not null,
      content text not null,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      hours numeric(5,1) not null check (hours > 0),
      trainer_person_id uuid references person(id),
      created_by text not null,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at)
    )`.execute(db);
  await sql`create index enterprise_training_session_org_idx on enterprise_training_session (organization_id, starts_at)`.execute(
    db,
  );

  await sql`
    create table enterprise_training_record (
      id uuid primary key default gen_random_uuid(),
      session_id uuid not null references enterprise_training_session(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      person_id uuid not null references person(id),
      hours numeric(5,1) not null check (hours >= 0),
      assessment text check (assessment in ('passed','failed')),
      created_at timestamptz not null default now(),
      unique (session_id, person_id)
    )`.execute(db);
  await sql`create index enterprise_training_record_person_idx on enterprise_training_record (organization_id, person_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'enterprise_training_record',
    'enterprise_training_session',
    'enterprise_training_plan',
    'certificate_check',
    'employment_detail',
  ])
    await sql`drop table if exists ${sql.raw(t)}`.execute(db);
}
