import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ArchiveFacts,
  archiveChecklist,
  beijingSpan,
  canonicalize,
  canonicalJson,
  diffLeaves,
  leafHash,
  merkleRoot,
  recordLabel,
  sealRoot,
  sha256Hex,
  sortLeaves,
  VERIFY_ARCHIVE_SCRIPT,
} from './archive.rules.js';

const hex64 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex'));
/** Leaves with distinct (kind, id) keys, as a manifest has. */
const leavesArb = fc.uniqueArray(
  fc.record({
    kind: fc.constantFrom('lesson', 'class_trainee', 'attendance_event', 'recording'),
    id: fc.uuid(),
    hash: hex64,
  }),
  {
    minLength: 1,
    maxLength: 40,
    selector: (l) => `${l.kind} ${l.id}`,
  },
);
/** Row-like values: JSON plus what pg hands back (Dates), with awkward keys and strings. */
const rowArb = fc.dictionary(
  fc.oneof(fc.string(), fc.constantFrom('10', '9', '__proto__', 'a', 'B', '中文', '')),
  fc.oneof(
    fc.jsonValue(),
    fc.date({ noInvalidDate: true }),
    fc.double(),
    fc.string({ unit: 'grapheme' }),
  ),
  { maxKeys: 8 },
);

describe('canonical JSON', () => {
  it('sorts keys at every depth, whatever the insertion order, including integer-like keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
    expect(canonicalJson({ 9: 'nine', 10: 'ten', a: 0 })).toBe('{"10":"ten","9":"nine","a":0}');
    expect(
      canonicalJson({
        at: new Date('2026-11-16T00:00:00Z'),
        n: 48,
        big: 12n,
        skip: undefined,
        arr: [undefined, Number.NaN],
      }),
    ).toBe('{"arr":[null,null],"at":"2026-11-16T00:00:00.000Z","big":"12","n":48}');
  });

  it('is the same for any key order', () => {
    fc.assert(
      fc.property(rowArb, (row) => {
        const reversed = Object.fromEntries(Object.entries(row).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(row));
      }),
    );
  });

  it('survives the trip through archive.json: canonicalize → JSON → parse hashes like the row itself', () => {
    fc.assert(
      fc.property(rowArb, (row) => {
        const parsed = JSON.parse(JSON.stringify(canonicalize(row)));
        expect(canonicalJson(parsed)).toBe(canonicalJson(row));
        expect(leafHash('lesson', 'x', parsed)).toBe(leafHash('lesson', 'x', row));
      }),
    );
  });
});

describe('Merkle root', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((s) => sha256Hex(s));

  it('is the leaf for one leaf; pairs hex strings; carries an odd last node up unchanged', () => {
    expect(merkleRoot([a])).toBe(a);
    expect(merkleRoot([a, b])).toBe(sha256Hex(a + b));
    expect(merkleRoot([a, b, c])).toBe(sha256Hex(sha256Hex(a + b) + c));
    expect(merkleRoot([a, b, c, a, b])).toBe(
      sha256Hex(sha256Hex(sha256Hex(a + b) + sha256Hex(c + a)) + b),
    );
    expect(merkleRoot([])).toBe(sha256Hex(''));
  });

  it('single leaf: the root is the leaf', () => {
    fc.assert(
      fc.property(
        hex64,
        (h) => merkleRoot([h]) === h && sealRoot([{ kind: 'k', id: 'i', hash: h }]) === h,
      ),
    );
  });

  it('changes when any one leaf changes', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), hex64, (leaves, pick, replacement) => {
        const i = pick % leaves.length;
        fc.pre(leaves[i].hash !== replacement);
        const tampered = leaves.map((l, j) => (j === i ? { ...l, hash: replacement } : l));
        expect(sealRoot(tampered)).not.toBe(sealRoot(leaves));
      }),
    );
  });

  it('does not depend on the order the leaves come in (they are sorted by kind, then id)', () => {
    fc.assert(
      fc.property(
        leavesArb,
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (leaves, keys) => {
          const shuffled = leaves
            .map((l, i) => ({ l, k: keys[i] }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.l);
          expect(sealRoot(shuffled)).toBe(sealRoot(leaves));
          expect(sortLeaves(shuffled)).toEqual(sortLeaves(leaves));
        },
      ),
    );
  });

  it('names what changed, what was added and what was removed', () => {
    const sealed = [
      { kind: 'lesson', id: '1', hash: a },
      { kind: 'lesson', id: '2', hash: b },
      { kind: 'class_document', id: '3', hash: c },
    ];
    const now = [
      { kind: 'lesson', id: '1', hash: a },
      { kind: 'lesson', id: '2', hash: c },
      { kind: 'attendance_event', id: '4', hash: a },
    ];
    expect(diffLeaves(sealed, now)).toEqual({
      changed: [{ kind: 'lesson', id: '2' }],
      added: [{ kind: 'attendance_event', id: '4' }],
      removed: [{ kind: 'class_document', id: '3' }],
    });
  });
});

describe('labels', () => {
  it('writes lesson times in Beijing time', () => {
    expect(beijingSpan(new Date('2026-11-16T00:00:00Z'), '2026-11-16T04:00:00.000Z')).toBe(
      '2026-11-16 08:00–12:00',
    );
    expect(
      recordLabel('lesson', {
        topic: '安全生产法律法规',
        startsAt: '2026-11-16T00:00:00.000Z',
        endsAt: new Date('2026-11-16T03:30:00Z'),
      }),
    ).toBe('安全生产法律法规（2026-11-16 08:00–11:30）');
    expect(recordLabel('class_document', { part: 'teaching_log', title: '第1周' })).toBe(
      '教学日志《第1周》',
    );
    expect(recordLabel('class_trainee', {})).toBeNull();
  });
});

describe('archive checklist', () => {
  const bj = (hhmm: string, day = '2026-11-16') => new Date(`${day}T${hhmm}:00+08:00`);
  const lessons: ArchiveFacts['lessons'] = [
    {
      id: 'L1',
      mode: 'theory',
      topic: '法律法规',
      roomId: 'R1',
      roomName: '理论教室一',
      startsAt: bj('08:00'),
      endsAt: bj('12:00'),
    },
    {
      id: 'L2',
      mode: 'practical',
      topic: '实操',
      roomId: 'R2',
      roomName: '实操车间',
      startsAt: bj('14:00'),
      endsAt: bj('17:00'),
    },
    {
      id: 'L3',
      mode: 'online',
      topic: '线上',
      roomId: null,
      startsAt: bj('08:00', '2026-11-17'),
      endsAt: bj('10:00', '2026-11-17'),
    },
  ];
  const complete: ArchiveFacts = {
    lessons,
    traineeCount: 2,
    // L1: a check-in before the lesson (same Beijing day, same room) counts; L2: a make-up.
    events: [{ roomId: 'R1', occurredAt: bj('07:52') }],
    makeups: [{ lessonId: 'L2' }],
    recordings: [
      { roomId: 'R1', startsAt: bj('07:55'), endsAt: bj('12:05') },
      { roomId: 'R2', startsAt: bj('13:50'), endsAt: bj('15:00') },
    ],
    documents: [
      'courseware_list',
      'teaching_log',
      'expert_check',
      'evaluation',
      'summary',
      'quality_assessment',
    ].map((part) => ({ part }) as ArchiveFacts['documents'][number]),
  };

  it('finds every part present in a complete archive', () => {
    const parts = archiveChecklist(complete);
    expect(parts.map((p) => p.part)).toEqual([
      'plan',
      'roster',
      'attendance',
      'video',
      'courseware_list',
      'teaching_log',
      'expert_check',
      'evaluation',
      'summary',
      'quality_assessment',
    ]);
    expect(parts.filter((p) => !p.present)).toEqual([]);
    expect(parts.find((p) => p.part === 'attendance')).toMatchObject({ count: 2 });
  });

  it('says what is missing, per lesson for attendance and video', () => {
    const parts = archiveChecklist({
      ...complete,
      events: [{ roomId: 'R1', occurredAt: bj('08:10', '2026-11-15') }],
      makeups: [],
      recordings: [{ roomId: 'R1', startsAt: bj('12:00'), endsAt: bj('13:00') }],
      documents: [{ part: 'summary' }],
    });
    const by = Object.fromEntries(parts.map((p) => [p.part, p]));
    expect(by.attendance.present).toBe(false);
    expect(by.attendance.missing).toEqual([
      '法律法规（2026-11-16 08:00–12:00，理论教室一）没有考勤记录（考勤终端记录或补录）',
      '实操（2026-11-16 14:00–17:00，实操车间）没有考勤记录（考勤终端记录或补录）',
    ]);
    // A recording that only touches the lesson's end does not overlap it.
    expect(by.video.missing).toHaveLength(2);
    expect(by.summary.present).toBe(true);
    expect(by.teaching_log).toMatchObject({ present: false, count: 0, missing: ['缺少教学日志'] });
  });

  it('refuses an empty plan and roster', () => {
    const parts = archiveChecklist({ ...complete, lessons: [], traineeCount: 0 });
    const by = Object.fromEntries(parts.map((p) => [p.part, p]));
    expect(by.plan.missing).toEqual(['教学计划没有任何课次']);
    expect(by.roster.missing).toEqual(['花名册没有学员']);
    expect(by.video.present).toBe(false);
  });
});

describe('verify-archive.mjs (the offline verifier) against the rules here', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zx-archive-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = promisify(execFile);

  it('recomputes the same leaves and root as the server for awkward records, and names an edited one', async () => {
    const rows = fc.sample(rowArb, { numRuns: 60, seed: 42 });
    const records = rows.map((row, i) => ({
      kind: i % 3 === 0 ? 'lesson' : 'attendance_event',
      id: `id-${String(i).padStart(3, '0')}`,
      record: row,
    }));
    const leaves = sortLeaves(
      records.map((r) => ({ kind: r.kind, id: r.id, hash: leafHash(r.kind, r.id, r.record) })),
    );
    const root = sealRoot(leaves);
    const entry = {
      action: 'class.seal',
      afterDigest: sha256Hex(canonicalJson({ root, leaves: leaves.length })),
      summary: `root=${root}`,
    };
    const manifest = {
      root,
      leaves,
      audit: { seq: '7', hash: sha256Hex(canonicalJson(entry)), entry },
    };
    const archive = {
      records: records.map((r) => ({
        kind: r.kind,
        id: r.id,
        label: null,
        record: canonicalize(r.record),
      })),
    };
    writeFileSync(join(dir, 'verify-archive.mjs'), VERIFY_ARCHIVE_SCRIPT);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(dir, 'archive.json'), JSON.stringify(archive, null, 2));
    const ok = await run('node', [join(dir, 'verify-archive.mjs')]);
    expect(ok.stdout).toMatch(new RegExp(`^OK ${records.length} records, root ${root}`));

    archive.records[4].record = { ...(archive.records[4].record as object), tampered: 1 };
    writeFileSync(join(dir, 'archive.json'), JSON.stringify(archive));
    const bad = await run('node', [join(dir, 'verify-archive.mjs'), dir]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toContain(
      `CHANGED  ${archive.records[4].kind} ${archive.records[4].id}`,
    );
  });
});
