import { type Kysely, sql } from 'kysely';

/**
 * Supervision (PRODUCT.md §2.6, issue 15): checklist templates kept as versions, annual inspection
 * plans, reproducible 双随机 draws, inspections with their checklist items, photos and the inspected
 * party's signature, spot exams (逢查必考), findings, rectification orders with the organization's
 * answers and one-time links, verification by a different inspector, penalties, public reports
 * (12350) with a tracking code, grades and published cases.
 *
 * Files are kept by the file storage under their SHA-256; `supervision_file` says whose they are.
 * Every table that grows with the province carries region_code (the inspected organization's).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table checklist_template (
      id uuid primary key default gen_random_uuid(),
      code text not null,
      version integer not null check (version > 0),
      subject_kind text not null check (subject_kind in ('enterprise','training_institution','exam_site','exam_authority')),
      name text not null,
      source text not null,
      items jsonb not null,
      region_code text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      unique (code, version)
    )`.execute(db);

  await sql`
    create table inspector_relative (
      id uuid primary key default gen_random_uuid(),
      inspector_person_id uuid not null references person(id),
      relative_person_id uuid not null references person(id),
      relation text not null,
      region_code text not null,
      declared_at timestamptz not null default now(),
      unique (inspector_person_id, relative_person_id)
    )`.execute(db);

  await sql`
    create table inspection_plan (
      id uuid primary key default gen_random_uuid(),
      regulator_id uuid not null references organization(id),
      region_code text not null,
      year integer not null,
      name text not null,
      subject_kinds text[] not null,
      target_count integer not null check (target_count >= 0),
      notes text,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inspection_plan_region_idx on inspection_plan (region_code text_pattern_ops, year)`.execute(
    db,
  );

  await sql`
    create table inspection_draw (
      id uuid primary key default gen_random_uuid(),
      plan_id uuid not null references inspection_plan(id),
      region_code text not null,
      algorithm text not null,
      seed text not null,
      params jsonb not null,
      pool jsonb not null,
      inspectors jsonb not null,
      result jsonb not null,
      drawn_by text not null,
      drawn_at timestamptz not null
    )`.execute(db);
  await sql`create index inspection_draw_plan_idx on inspection_draw (plan_id)`.execute(db);

  await sql`
    create table inspection (
      id uuid primary key default gen_random_uuid(),
      plan_id uuid references inspection_plan(id),
      draw_id uuid references inspection_draw(id),
      report_id uuid,
      regulator_id uuid not null references organization(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      subject_kind text not null,
      template_id uuid not null references checklist_template(id),
      scheduled_on date not null,
      inspector_person_ids uuid[] not null,
      status text not null default 'scheduled' check (status in ('scheduled','in_progress','signed')),
      started_at timestamptz,
      signed_at timestamptz,
      signer_name text,
      signature_sha256 text,
      summary text,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index inspection_region_idx on inspection (region_code text_pattern_ops, scheduled_on)`.execute(
    db,
  );
  await sql`create index inspection_org_idx on inspection (organization_id, scheduled_on)`.execute(
    db,
  );
  await sql`create index inspection_inspectors_idx on inspection using gin (inspector_person_ids)`.execute(
    db,
  );

  await sql`
    create table inspection_item (
      inspection_id uuid not null references inspection(id),
      position integer not null,
      code text not null,
      text text not null,
      basis text not null,
      severity text not null check (severity in ('serious','warning','notice')),
      result text check (result in ('pass','fail','na')),
      note text,
      photo_sha256s text[] not null default '{}',
      prefill jsonb,
      answered_by text,
      answered_at timestamptz,
      primary key (inspection_id, position)
    )`.execute(db);

  await sql`
    create table supervision_file (
      id uuid primary key default gen_random_uuid(),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      size integer not null,
      content_type text not null,
      name text,
      owner_kind text not null check (owner_kind in ('inspection','order','report','signature')),
      owner_id uuid not null,
      region_code text not null,
      uploaded_by text not null,
      uploaded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index supervision_file_owner_idx on supervision_file (owner_kind, owner_id)`.execute(
    db,
  );

  await sql`
    create table spot_exam (
      id uuid primary key default gen_random_uuid(),
      inspection_id uuid not null references inspection(id),
      region_code text not null,
      seed text not null,
      population text not null,
      pool jsonb not null,
      authority_id uuid not null references organization(id),
      item_code text not null,
      question_count integer not null,
      pass_ratio numeric not null,
      created_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table spot_exam_sitting (
      id uuid primary key default gen_random_uuid(),
      spot_exam_id uuid not null references spot_exam(id),
      person_id uuid not null references person(id),
      paper jsonb not null,
      answers jsonb,
      score numeric,
      passed boolean,
      submitted_at timestamptz,
      unique (spot_exam_id, person_id)
    )`.execute(db);

  await sql`
    create table rectification_order (
      id uuid primary key default gen_random_uuid(),
      number text not null,
      inspection_id uuid references inspection(id),
      organization_id uuid not null references organization(id),
      regulator_id uuid not null references organization(id),
      region_code text not null,
      requirements text not null,
      deadline date not null,
      responsible_name text not null,
      responsible_phone text,
      state text not null default 'issued' check (state in ('issued','responded','verified','closed')),
      issued_by text not null,
      issued_by_person_id uuid,
      issued_at timestamptz not null,
      responded_at timestamptz,
      verified_by text,
      verified_by_person_id uuid,
      verified_at timestamptz,
      verification_note text,
      closed_by text,
      closed_at timestamptz,
      escalated_at timestamptz,
      escalated_to text
    )`.execute(db);
  await sql`create index rectification_order_region_idx on rectification_order (region_code text_pattern_ops, deadline)`.execute(
    db,
  );
  await sql`create index rectification_order_org_idx on rectification_order (organization_id)`.execute(
    db,
  );

  await sql`
    create table supervision_finding (
      id uuid primary key default gen_random_uuid(),
      inspection_id uuid references inspection(id),
      item_position integer,
      alert_id uuid,
      order_id uuid references rectification_order(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      rule text,
      code text not null,
      severity text not null check (severity in ('serious','warning','notice')),
      message text not null,
      basis text not null,
      evidence jsonb not null default '[]'::jsonb,
      status text not null default 'open' check (status in ('open','ordered','closed')),
      created_by text not null,
      created_at timestamptz not null,
      closed_at timestamptz
    )`.execute(db);
  await sql`create index supervision_finding_region_idx on supervision_finding (region_code text_pattern_ops, created_at)`.execute(
    db,
  );
  await sql`create index supervision_finding_inspection_idx on supervision_finding (inspection_id)`.execute(
    db,
  );
  await sql`create unique index supervision_finding_alert_idx on supervision_finding (alert_id) where alert_id is not null`.execute(
    db,
  );

  await sql`
    create table order_response (
      id uuid primary key default gen_random_uuid(),
      order_id uuid not null references rectification_order(id),
      statement text not null,
      file_ids uuid[] not null,
      via text not null check (via in ('account','link')),
      responder text not null,
      responded_at timestamptz not null,
      outcome text check (outcome in ('accepted','rejected')),
      outcome_note text
    )`.execute(db);
  await sql`create index order_response_order_idx on order_response (order_id, responded_at)`.execute(
    db,
  );

  await sql`
    create table order_link (
      id uuid primary key default gen_random_uuid(),
      order_id uuid not null references rectification_order(id),
      token_hash text not null unique,
      created_by text not null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  await sql`
    create table penalty (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null references organization(id),
      region_code text not null,
      regulator_id uuid not null references organization(id),
      inspection_id uuid references inspection(id),
      finding_id uuid references supervision_finding(id),
      person_id uuid references person(id),
      kind text not null check (kind in ('warning','fine','suspension','exit','score_cancellation','referral')),
      amount_yuan numeric check (amount_yuan is null or amount_yuan >= 0),
      basis text not null,
      decision_number text not null,
      decided_on date not null,
      decided_by text not null,
      note text,
      lifted_on date,
      lifted_decision text,
      lifted_by text,
      created_at timestamptz not null default now(),
      check ((kind = 'fine') = (amount_yuan is not null))
    )`.execute(db);
  await sql`create index penalty_region_idx on penalty (region_code text_pattern_ops, decided_on)`.execute(
    db,
  );
  await sql`create index penalty_org_idx on penalty (organization_id)`.execute(db);

  await sql`
    create table public_report (
      id uuid primary key default gen_random_uuid(),
      tracking_hash text not null unique,
      region_code text not null,
      subject_organization_id uuid references organization(id),
      subject_text text not null,
      category text not null,
      content text not null,
      anonymous boolean not null,
      reporter_name text,
      reporter_phone text,
      status text not null default 'received' check (status in ('received','triaged','assigned','investigating','replied','closed')),
      triage_note text,
      assigned_to_user_id uuid references app_user(id),
      assigned_by text,
      inspection_id uuid references inspection(id),
      reply text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create index public_report_region_idx on public_report (region_code text_pattern_ops, created_at)`.execute(
    db,
  );
  await sql`
    create table report_message (
      id uuid primary key default gen_random_uuid(),
      report_id uuid not null references public_report(id),
      author text not null check (author in ('reporter','officer')),
      body text not null,
      file_ids uuid[] not null default '{}',
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index report_message_report_idx on report_message (report_id, created_at)`.execute(
    db,
  );

  await sql`
    create table organization_grade (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null references organization(id),
      region_code text not null,
      period text not null,
      score numeric not null,
      grade text not null check (grade in ('A','B','C','D')),
      inputs jsonb not null,
      computed_by text not null,
      computed_at timestamptz not null,
      unique (organization_id, period)
    )`.execute(db);
  await sql`create index organization_grade_region_idx on organization_grade (region_code text_pattern_ops, period)`.execute(
    db,
  );

  await sql`
    create table case_publication (
      id uuid primary key default gen_random_uuid(),
      order_id uuid references rectification_order(id),
      penalty_id uuid references penalty(id),
      organization_id uuid not null references organization(id),
      region_code text not null,
      title text not null,
      body text not null,
      published_by text not null,
      published_at timestamptz not null
    )`.execute(db);
  await sql`create index case_publication_region_idx on case_publication (region_code text_pattern_ops, published_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'case_publication',
    'organization_grade',
    'report_message',
    'public_report',
    'penalty',
    'order_link',
    'order_response',
    'supervision_finding',
    'rectification_order',
    'spot_exam_sitting',
    'spot_exam',
    'supervision_file',
    'inspection_item',
    'inspection',
    'inspection_draw',
    'inspection_plan',
    'inspector_relative',
    'checklist_template',
  ])
    await sql`drop table ${sql.table(t)}`.execute(db);
}
