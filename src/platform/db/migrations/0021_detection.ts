import { type Kysely, sql } from 'kysely';

/**
 * Detection (issue 13): alerts — findings of the rule catalog (src/catalog/findings.ts) persisted
 * with an identity and a lifecycle — the in-database job queue that re-evaluates what a change
 * touches, and the outcome of each rule's latest evaluation (evaluated, or not evaluable and why).
 *
 * An alert's identity is `key` = sha256(rule, code, the record it is about, the ids of its evidence):
 * the same problem proven by the same records is the same alert across runs, so a dismissed alert
 * stays dismissed until its evidence changes (then it is a new key, a new alert).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Each trainee's own kind of training (initial / refresher / review) as enrolled or as the source
  // system recorded it: T06 judges mixed classes from it (null = not recorded, taken as the class's).
  await sql`alter table class_trainee add column training_kind text check (training_kind in ('initial','refresher','review'))`.execute(
    db,
  );
  await sql`
    create table alert (
      id uuid primary key default gen_random_uuid(),
      key text not null unique,
      rule text not null,
      code text not null,
      severity text not null check (severity in ('serious','warning','notice')),
      organization_id uuid references organization(id),
      organization_kind text,
      region_code text not null,
      record_kind text not null,
      record_id text,
      record_name text,
      summary text not null,
      evidence jsonb not null,
      figure jsonb,
      source text not null,
      occurred_on date,
      state text not null default 'new' check (state in ('new','acknowledged','dismissed','finding')),
      state_reason text,
      state_by text,
      state_at timestamptz,
      detected_at timestamptz not null,
      last_seen_at timestamptz not null,
      cleared_at timestamptz
    )`.execute(db);
  await sql`create index alert_region_idx on alert (region_code text_pattern_ops)`.execute(db);
  await sql`create index alert_org_idx on alert (organization_id, rule)`.execute(db);
  await sql`create index alert_rule_idx on alert (rule, state) where cleared_at is null`.execute(
    db,
  );

  await sql`
    create table detection_job (
      id bigserial primary key,
      kind text not null,
      organization_id uuid,
      region_code text,
      payload jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      locked_at timestamptz,
      attempts integer not null default 0,
      done_at timestamptz,
      error text
    )`.execute(db);
  await sql`create index detection_job_pending_idx on detection_job (id) where done_at is null`.execute(
    db,
  );

  await sql`
    create table detection_rule_run (
      rule text not null,
      scope text not null,
      status text not null check (status in ('evaluated','not_evaluable')),
      reason text,
      alerts integer not null,
      evaluated_at timestamptz not null,
      ms integer not null,
      primary key (rule, scope)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['detection_rule_run', 'detection_job', 'alert'])
    await sql`drop table ${sql.table(t)}`.execute(db);
  await sql`alter table class_trainee drop column training_kind`.execute(db);
}
