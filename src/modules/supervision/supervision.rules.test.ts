import { describe, expect, it } from 'vitest';
import { builtinChecklists } from '../../catalog/checklists.js';
import { type DrawCandidate, drawTargets, runDraw, unitRandom } from './draw.rules.js';
import {
  escalationRegion,
  gradeOrganization,
  gradingFormula,
  isOverdue,
  itemAnswerProblem,
  maskName,
  maskText,
  nextOrderState,
  periodOf,
  softEnforcementFindings,
  spotVerdict,
} from './supervision.rules.js';

const pool = (n: number, weight = (_i: number) => 1): DrawCandidate[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `org-${String(i).padStart(3, '0')}`,
    name: `单位${i}`,
    kind: 'training_institution',
    regionCode: '370902',
    weight: weight(i),
    weightReason: '',
  }));

describe('checklists from the seeds', () => {
  it('has seed 001 lists of 10, 4, 8 and 8 items and every item with a legal basis', () => {
    const count = (code: string) => builtinChecklists.find((c) => c.code === code)?.items.length;
    expect(count('yubei-enterprise')).toBe(10);
    expect(count('yubei-institution')).toBe(4);
    expect(count('yubei-exam-site')).toBe(8);
    expect(count('yubei-exam-authority')).toBe(8);
    for (const c of builtinChecklists)
      for (const i of c.items) expect(i.basis.length, `${c.code} ${i.code}`).toBeGreaterThan(4);
    expect(builtinChecklists.map((c) => c.code)).toContain('shandong-2024-institution');
  });
});

describe('the draw (zx-draw-v1)', () => {
  it('u() is SHA-256 of "seed|parts", its first 52 bits over 2^52 (a fixed vector)', () => {
    // sha256("20261207|target|org-000") computed independently (openssl dgst -sha256).
    // printf '20261207|target|org-000' | openssl dgst -sha256 → 17c8182baf1a4…; 0x17c8182baf1a4 / 2^52
    expect(unitRandom('20261207', 'target', 'org-000')).toBe(0x17c8182baf1a4 / 2 ** 52);
    expect(unitRandom('a', 'b')).toBe(unitRandom('a', 'b'));
    expect(unitRandom('a', 'b')).not.toBe(unitRandom('a', 'c'));
  });

  it('is reproducible from the seed and independent of the order of the pool', () => {
    const p = pool(40);
    const a = drawTargets('seed-1', p, 5).map((t) => t.id);
    const b = drawTargets('seed-1', [...p].reverse(), 5).map((t) => t.id);
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(5);
    expect(drawTargets('seed-2', p, 5).map((t) => t.id)).not.toEqual(a);
  });

  it('draws heavier-weighted organizations more often (grade D four times a B)', () => {
    const p = pool(20, (i) => (i < 2 ? 4 : 1));
    let heavy = 0;
    for (let s = 0; s < 400; s++)
      heavy += drawTargets(`s${s}`, p, 3).filter((t) => t.weight === 4).length;
    // Without weights the two would make 2/20 of the draws: 0.3 a draw; with weight 4 about three times that.
    expect(heavy / 400).toBeGreaterThan(0.6);
  });

  it('never assigns an inspector with a conflict, balances load, and reports understaffed targets', () => {
    const p = pool(3);
    const inspectors = ['p1', 'p2', 'p3'].map((personId) => ({ personId, name: personId }));
    const out = runDraw({
      seed: 'x',
      pool: p,
      inspectors,
      conflicts: {
        'org-000': { p1: '本人在该单位任职' },
        'org-001': { p1: '配偶在该单位就业', p2: '本人在该单位任职', p3: '兄弟在该单位就业' },
      },
      count: 3,
      perTarget: 2,
    });
    const by = new Map(out.assignments.map((a) => [a.targetId, a]));
    expect(by.get('org-000')?.inspectorPersonIds.sort()).toEqual(['p2', 'p3']);
    expect(by.get('org-000')?.excluded).toEqual([{ personId: 'p1', reason: '本人在该单位任职' }]);
    expect(by.get('org-001')?.understaffed).toBe(true);
    expect(by.get('org-001')?.inspectorPersonIds).toEqual([]);
    expect(
      runDraw({ seed: 'x', pool: p, inspectors, conflicts: {}, count: 3, perTarget: 2 }),
    ).toEqual(runDraw({ seed: 'x', pool: p, inspectors, conflicts: {}, count: 3, perTarget: 2 }));
  });
});

describe('rectification state machine', () => {
  it('allows only issued → responded → verified → closed, and a rejection back to issued', () => {
    expect(nextOrderState('issued', 'respond')).toBe('responded');
    expect(nextOrderState('responded', 'accept')).toBe('verified');
    expect(nextOrderState('responded', 'reject')).toBe('issued');
    expect(nextOrderState('verified', 'close')).toBe('closed');
    expect(nextOrderState('issued', 'accept')).toBeNull();
    expect(nextOrderState('issued', 'close')).toBeNull();
    expect(nextOrderState('responded', 'close')).toBeNull();
    expect(nextOrderState('closed', 'respond')).toBeNull();
  });
  it('is overdue after its Beijing deadline until verified; escalates one level up', () => {
    expect(isOverdue({ state: 'issued', deadline: '2026-12-01' }, '2026-12-02')).toBe(true);
    expect(isOverdue({ state: 'issued', deadline: '2026-12-02' }, '2026-12-02')).toBe(false);
    expect(isOverdue({ state: 'verified', deadline: '2026-12-01' }, '2026-12-09')).toBe(false);
    expect(escalationRegion('370902')).toBe('3709');
    expect(escalationRegion('3709')).toBe('37');
    expect(escalationRegion('370902001')).toBe('370902');
  });
  it('needs a note or a photo on a failed item', () => {
    expect(itemAnswerProblem({ result: 'fail' })).toMatch(/照片或文字/);
    expect(itemAnswerProblem({ result: 'fail', note: '  ' })).toMatch(/照片或文字/);
    expect(itemAnswerProblem({ result: 'fail', photoSha256s: ['a'.repeat(64)] })).toBeNull();
    expect(itemAnswerProblem({ result: 'pass' })).toBeNull();
  });
});

describe('grading', () => {
  const rec = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ kind: 'x', id: String(i), label: '' }));
  it('deducts per input from 100 and grades by the thresholds', () => {
    const d = gradingFormula.deductions;
    expect(gradeOrganization({}).grade).toBe('A');
    const g = gradeOrganization({ findingSerious: rec(1), registrationCondition: rec(1) });
    expect(g.score).toBe(gradingFormula.base - d.findingSerious - d.registrationCondition);
    expect(g.grade).toBe('B');
    expect(g.terms.map((t) => t.input)).toEqual(['registrationCondition', 'findingSerious']);
    expect(gradeOrganization({ penaltySuspension: rec(1), findingSerious: rec(2) }).grade).toBe(
      'D',
    );
    expect(gradeOrganization({ alertSerious: rec(50) }).score).toBe(
      gradingFormula.base - gradingFormula.alertCap,
    );
    expect(gradeOrganization({ findingSerious: rec(1) }).drawWeight).toBe(
      gradingFormula.byGrade.A.drawWeight,
    );
  });
  it('names the quarter', () => {
    expect(periodOf('2026-12-07')).toBe('2026Q4');
    expect(periodOf('2026-01-31')).toBe('2026Q1');
  });
});

describe('spot exam verdict and masking', () => {
  it('is below the 100% target as soon as one person fails', () => {
    expect(spotVerdict([{ passed: true }, { passed: true }]).belowTarget).toBe(false);
    const v = spotVerdict([{ passed: true }, { passed: false }, { passed: null }]);
    expect(v).toMatchObject({
      sat: 2,
      passed: 1,
      rate: 0.5,
      belowTarget: true,
      severity: 'serious',
    });
  });
  it('masks names, phones and ID numbers', () => {
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('李四')).toBe('李*');
    expect(maskText('责任人张三丰，电话13912345678，身份证370902198001011234', ['张三丰'])).toBe(
      '责任人张*丰，电话139****5678，身份证3709**********1234',
    );
  });
});

describe('G01 执法偏软偏弱', () => {
  it('reports each case as a Finding of rule G01 about the regulator, with the records as evidence', () => {
    const out = softEnforcementFindings({
      seriousWithoutPenalty: [
        {
          inspectionId: 'i1',
          regulatorId: 'r1',
          regulatorName: '泰山区应急局',
          organizationName: '岱宗学校',
          scheduledOn: '2026-10-20',
          seriousFindings: [{ id: 'f1', message: '只有一个出口' }],
        },
      ],
      closedWithoutEvidence: [],
      overdueOrders: [
        {
          orderId: 'o1',
          number: '泰山责改〔2026〕1号',
          regulatorId: 'r1',
          regulatorName: '泰山区应急局',
          organizationName: '岱宗学校',
          deadline: '2026-11-01',
        },
      ],
    });
    expect(out.map((f) => [f.rule, f.code])).toEqual([
      ['G01', 'serious_finding_no_penalty'],
      ['G01', 'order_overdue'],
    ]);
    expect(out[0].evidence.map((e) => e.kind)).toEqual(['inspection', 'finding']);
    expect(out[0].subject).toMatchObject({ kind: 'organization', id: 'r1' });
  });
});
