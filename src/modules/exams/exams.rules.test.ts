import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../catalog/calendar.js';
import { exams, examTrainingKinds, specialOperation } from '../../catalog/figures.js';
import { listOperationItems } from '../../catalog/operations.js';
import { practicalStandard } from '../../catalog/practical.js';
import {
  addMonths,
  choiceCorrect,
  drawPaper,
  type EligibilityFacts,
  gradePaper,
  judgeEligibility,
  type PoolQuestion,
  practicalOutcome,
  questionProblem,
  resultsDue,
  retirement,
  sittingResult,
  statutoryRetirementDate,
} from './exams.rules.js';
import type { BlueprintPart } from './exams.table.js';

const line = {
  classCode: 'C1',
  operationItemCode: '1.2',
  kind: 'initial',
  endDate: '2026-10-30',
  theoryMet: true,
  practicalMet: true,
  theoryHours: 40,
  onlineHoursCounted: 10,
  practicalHours: 32,
  syllabusTheoryHours: 48,
  syllabusPracticalHours: 32,
};
const facts = (o: Partial<EligibilityFacts> = {}): EligibilityFacts => ({
  certificateKind: 'special_operation',
  itemCode: '1.2',
  examDate: '2026-11-26',
  person: { birthDate: '1990-05-01', gender: 'male', education: 'junior_high' },
  training: [line],
  ban: null,
  certificateInForce: null,
  pastSittings: [],
  ...o,
});
const failed = (j: ReturnType<typeof judgeEligibility>) =>
  j.checks.filter((c) => !c.passed).map((c) => c.code);

describe('statutory retirement date', () => {
  it('is the base age before the delay starts and rises a month per four months of birth, capped', () => {
    expect(statutoryRetirementDate('1964-12-10', 'male')).toBe(
      addMonths('1964-12-10', retirement.baseAge.male * 12),
    );
    expect(statutoryRetirementDate('1965-01-10', 'male')).toBe(
      addMonths('1965-01-10', retirement.baseAge.male * 12 + 1),
    );
    expect(statutoryRetirementDate('1965-05-10', 'male')).toBe(
      addMonths('1965-05-10', retirement.baseAge.male * 12 + 2),
    );
    expect(statutoryRetirementDate('1990-01-01', 'male')).toBe(
      addMonths('1990-01-01', retirement.baseAge.male * 12 + retirement.maxDelayMonths),
    );
    expect(statutoryRetirementDate('1969-12-01', 'female')).toBe(
      addMonths('1969-12-01', retirement.baseAge.female * 12),
    );
  });
  it('adds months to month ends without overflowing', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-12-15', 13)).toBe('2027-01-15');
  });
});

describe('exam eligibility', () => {
  it('does not let review-class hours open a first exam: the class kind must be the exam’s (catalog)', () => {
    // 8 学时 of 复审培训, every hour proven: enough for a review, not for the first certificate.
    const review = {
      ...line,
      classCode: 'R1',
      kind: 'review',
      theoryHours: specialOperation.reviewTrainingHours.value,
      onlineHoursCounted: 0,
      practicalHours: 0,
      syllabusTheoryHours: specialOperation.reviewTrainingHours.value,
      syllabusPracticalHours: 0,
    };
    const first = judgeEligibility(facts({ training: [review] }));
    expect(first.eligible).toBe(false);
    expect(failed(first)).toEqual(['training_hours']);
    const hours = first.checks.find((c) => c.code === 'training_hours')!;
    expect(hours.message).toContain('R1（复审培训）');
    expect(hours.evidence).toMatchObject({
      examKind: 'initial',
      qualifyingKinds: examTrainingKinds.special_operation.initial!.kinds,
      notCounted: [{ classCode: 'R1', kind: 'review' }],
    });
    // The same hours do count toward a review exam, and an initial class still opens a first exam.
    expect(failed(judgeEligibility(facts({ training: [review], examKind: 'review' })))).toEqual([]);
    expect(failed(judgeEligibility(facts({ training: [review, line] })))).toEqual([]);
    // Initial hours are not review training either.
    expect(failed(judgeEligibility(facts({ training: [line], examKind: 'review' })))).toEqual([
      'training_hours',
    ]);
  });

  it('admits a trained adult with the education, no ban and no certificate, as a first sitting', () => {
    const j = judgeEligibility(facts());
    expect(j).toMatchObject({ eligible: true, attempt: 1, theoryCarried: false });
    expect(failed(j)).toEqual([]);
  });

  it('names each failed condition', () => {
    const minor = addMonths('2026-11-26', -12 * specialOperation.minAge.value + 1);
    expect(
      failed(
        judgeEligibility(
          facts({ person: { birthDate: minor, gender: 'female', education: 'high_school' } }),
        ),
      ),
    ).toEqual(['age']);
    expect(
      failed(
        judgeEligibility(
          facts({ person: { birthDate: '1960-01-01', gender: 'male', education: 'high_school' } }),
        ),
      ),
    ).toEqual(['age']);
    const chemical = listOperationItems().find((i) => i.requiresHighSchool)!;
    expect(
      failed(
        judgeEligibility(
          facts({
            itemCode: chemical.code,
            training: [{ ...line, operationItemCode: chemical.code }],
          }),
        ),
      ),
    ).toEqual(['education']);
    expect(
      failed(
        judgeEligibility(
          facts({ person: { birthDate: '1990-05-01', gender: 'male', education: null } }),
        ),
      ),
    ).toEqual(['education']);
    const short = judgeEligibility(
      facts({ training: [{ ...line, practicalMet: false, practicalHours: 20 }] }),
    );
    expect(failed(short)).toEqual(['training_hours']);
    expect(short.checks[2].message).toContain('实操 20/32');
    // Training of another item, or a class that has not ended by the exam, proves nothing.
    expect(
      failed(judgeEligibility(facts({ training: [{ ...line, operationItemCode: '1.1' }] }))),
    ).toEqual(['training_hours']);
    expect(
      failed(judgeEligibility(facts({ training: [{ ...line, endDate: '2026-12-01' }] }))),
    ).toEqual(['training_hours']);
    expect(
      failed(judgeEligibility(facts({ ban: { number: 'T3709…', until: '2028-01-01' } }))),
    ).toEqual(['revocation_ban']);
    expect(failed(judgeEligibility(facts({ certificateInForce: { number: 'T3709…' } })))).toEqual([
      'already_certified',
    ]);
    expect(
      failed(
        judgeEligibility(
          facts({
            pastSittings: [
              {
                registrationId: 'r1',
                sessionStartsOn: '2026-11-10',
                result: null,
                theoryScore: null,
              },
            ],
          }),
        ),
      ),
    ).toEqual(['pending_sitting']);
  });

  it('allows one retake after training, carries a theory pass for 12 months, and sends a second failure back to training', () => {
    const pass = exams.passMark.value;
    const one = judgeEligibility(
      facts({
        pastSittings: [
          {
            registrationId: 'r1',
            sessionStartsOn: '2026-11-10',
            result: 'fail',
            theoryScore: pass + 5,
          },
        ],
      }),
    );
    expect(one).toMatchObject({ eligible: true, attempt: 2, theoryCarried: true });
    const lateRetake = judgeEligibility(
      facts({
        examDate: addMonths('2026-11-10', exams.scoreValidMonths.value),
        training: [{ ...line }],
        pastSittings: [
          {
            registrationId: 'r1',
            sessionStartsOn: '2026-11-10',
            result: 'fail',
            theoryScore: pass + 5,
          },
        ],
      }),
    );
    expect(lateRetake).toMatchObject({ attempt: 2, theoryCarried: false });
    const theoryFailed = judgeEligibility(
      facts({
        pastSittings: [
          {
            registrationId: 'r1',
            sessionStartsOn: '2026-11-10',
            result: 'fail',
            theoryScore: pass - 1,
          },
        ],
      }),
    );
    expect(theoryFailed.theoryCarried).toBe(false);
    const sittings = Array.from({ length: 1 + specialOperation.retakes.value }, (_, i) => ({
      registrationId: `r${i}`,
      sessionStartsOn: `2026-11-1${i}`,
      result: 'fail' as const,
      theoryScore: 50,
    }));
    expect(failed(judgeEligibility(facts({ pastSittings: sittings })))).toEqual([
      'retakes_exhausted',
    ]);
    // Training again opens the exam again.
    expect(
      judgeEligibility(
        facts({
          pastSittings: sittings,
          training: [line, { ...line, classCode: 'C2', endDate: '2026-11-20' }],
        }),
      ),
    ).toMatchObject({ eligible: true, attempt: 1 });
  });
});

const pool: PoolQuestion[] = [
  ...Array.from(
    { length: 12 },
    (_, i): PoolQuestion => ({
      id: `j${i}`,
      kind: 'judge',
      stem: `判断${i}`,
      options: ['正确', '错误'],
      answer: [i % 2],
      knowledgePoint: 'k1',
    }),
  ),
  ...Array.from(
    { length: 12 },
    (_, i): PoolQuestion => ({
      id: `s${i}`,
      kind: 'single',
      stem: `单选${i}`,
      options: ['甲', '乙', '丙', '丁'],
      answer: [i % 4],
      knowledgePoint: i < 6 ? 'k1' : 'k2',
    }),
  ),
  ...Array.from(
    { length: 8 },
    (_, i): PoolQuestion => ({
      id: `m${i}`,
      kind: 'multiple',
      stem: `多选${i}`,
      options: ['一', '二', '三', '四', '五'],
      answer: i % 2 ? [0, 2, 4] : [1, 3],
      knowledgePoint: 'k3',
    }),
  ),
];
const parts: BlueprintPart[] = [
  { kind: 'judge', knowledgePoint: null, count: 10, pointsEach: 2 },
  { kind: 'single', knowledgePoint: 'k2', count: 5, pointsEach: 4 },
  { kind: 'single', knowledgePoint: null, count: 5, pointsEach: 4 },
  { kind: 'multiple', knowledgePoint: null, count: 5, pointsEach: 8 },
];
const seeded = (seed: number) => {
  let x = seed || 1;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
};

describe('papers', () => {
  it('draws distinct questions per part, keeps each answer on the same option text, and grades a perfect paper at full marks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
        const paper = drawPaper(parts, pool, seeded(seed));
        expect(new Set(paper.map((q) => q.questionId)).size).toBe(25);
        expect(
          paper.filter((q) => q.knowledgePoint === 'k2' && q.kind === 'single').length,
        ).toBeGreaterThanOrEqual(5);
        for (const q of paper) {
          const original = pool.find((p) => p.id === q.questionId)!;
          expect(q.answer.map((a) => q.options[a]).sort()).toEqual(
            original.answer.map((a) => original.options[a]).sort(),
          );
          if (q.kind === 'judge') expect(q.options).toEqual(original.options);
        }
        expect(gradePaper(paper, new Map(paper.map((q, i) => [i, q.answer])))).toBe(
          exams.fullMarks.value,
        );
        // Ticking every option of every multiple-choice question earns none of their points.
        const tickAll = new Map(
          paper.map((q, i) => [i, q.kind === 'multiple' ? q.options.map((_, k) => k) : q.answer]),
        );
        expect(gradePaper(paper, tickAll)).toBe(exams.fullMarks.value - 5 * 8);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses to draw more than the pool holds', () => {
    expect(() =>
      drawPaper(
        [{ kind: 'multiple', knowledgePoint: null, count: 9, pointsEach: 1 }],
        pool,
        seeded(1),
      ),
    ).toThrow();
  });

  it('scores a choice only when it is exactly the right set', () => {
    expect(choiceCorrect({ answer: [0, 2] }, [2, 0])).toBe(true);
    expect(choiceCorrect({ answer: [0, 2] }, [0])).toBe(false);
    expect(choiceCorrect({ answer: [0, 2] }, [0, 2, 3])).toBe(false);
    expect(choiceCorrect({ answer: [0, 2] }, [0, 0])).toBe(false);
    expect(choiceCorrect({ answer: [1] }, undefined)).toBe(false);
  });

  it('refuses questions that cannot be scored fairly', () => {
    expect(
      questionProblem({ kind: 'multiple', options: ['a', 'b', 'c'], answer: [0, 1, 2] })?.path,
    ).toBe('answer');
    expect(questionProblem({ kind: 'multiple', options: ['a', 'b', 'c'], answer: [0] })?.path).toBe(
      'answer',
    );
    expect(questionProblem({ kind: 'single', options: ['a', 'a'], answer: [0] })?.path).toBe(
      'options',
    );
    expect(questionProblem({ kind: 'single', options: ['a', 'b'], answer: [2] })?.path).toBe(
      'answer',
    );
    expect(questionProblem({ kind: 'judge', options: ['正确', '错误'], answer: [1] })).toBeNull();
  });
});

describe('practical and sitting results', () => {
  const standard = practicalStandard('1.2')!;
  const full = standard.subjects.map((s) => ({
    subjectCode: s.code,
    points: s.weight,
    vetoItem: null,
  }));

  it('has subjects weighted to the full marks', () => {
    for (const s of [
      standard,
      practicalStandard('2.1')!,
      practicalStandard('3.2')!,
      practicalStandard('6.1')!,
    ])
      expect(s.subjects.reduce((n, x) => n + x.weight, 0)).toBe(exams.fullMarks.value);
    expect(practicalStandard('6.1')!.status).toBe('unconfirmed');
  });

  it('waits for every subject, fails on a veto item whatever the points, and on points below the pass mark', () => {
    expect(practicalOutcome(full.slice(1), standard)).toBeNull();
    expect(practicalOutcome(full, standard)).toEqual({ score: 100, passed: true, veto: null });
    expect(
      practicalOutcome(
        full.map((x, i) => (i === 1 ? { ...x, vetoItem: '带电操作' } : x)),
        standard,
      ),
    ).toEqual({ score: 100, passed: false, veto: '带电操作' });
    const low = full.map((x) => ({ ...x, points: x.points * 0.7 }));
    expect(practicalOutcome(low, standard)?.passed).toBe(exams.practicalPassMark.value <= 70);
  });

  it('combines theory and practical into the sitting result', () => {
    const pass = exams.passMark.value;
    const base = {
      theoryScore: pass,
      theoryCarried: false,
      needsPractical: true,
      practical: { passed: true },
      cancelled: false,
      checkedIn: true,
    };
    expect(sittingResult(base)).toBe('pass');
    expect(sittingResult({ ...base, theoryScore: pass - 1 })).toBe('fail');
    expect(sittingResult({ ...base, practical: null })).toBeNull();
    expect(sittingResult({ ...base, theoryScore: null, theoryCarried: true })).toBe('pass');
    expect(sittingResult({ ...base, cancelled: true })).toBe('cancelled');
    expect(sittingResult({ ...base, checkedIn: false })).toBe('absent');
    expect(sittingResult({ ...base, needsPractical: false, practical: null })).toBe('pass');
  });
});

describe('results deadline', () => {
  it('falls the given number of working days after the exam, and is overdue only past it unpublished', () => {
    const n = specialOperation.resultsWithinWorkingDays.value;
    const { resultsDueOn } = resultsDue('2026-11-02', false, '2026-11-02');
    expect(resultsDueOn).toBe(addWorkingDays('2026-11-02', n));
    expect(resultsDue('2026-11-02', false, resultsDueOn).resultsOverdue).toBe(false);
    const dayAfter = new Date(Date.parse(`${resultsDueOn}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(resultsDue('2026-11-02', false, dayAfter).resultsOverdue).toBe(true);
    expect(resultsDue('2026-11-02', true, dayAfter).resultsOverdue).toBe(false);
    // The holidays of the calendar do not count: 国庆 2026 pushes the deadline of a 30 September exam.
    expect(resultsDue('2026-09-30', false, '2026-09-30').resultsDueOn).toBe(
      addWorkingDays('2026-09-30', n),
    );
    expect(resultsDue('2026-09-30', false, '2026-09-30').resultsDueOn > '2026-10-14').toBe(true);
  });
});
