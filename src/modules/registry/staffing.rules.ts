import type { Duty } from './registry.contract.js';

/** Which duties each kind of organization gives (PRODUCT.md §2.1). */
const dutiesByKind: Record<string, readonly Duty[]> = {
  training_institution: ['manager', 'teacher', 'head_teacher'],
  exam_site: ['manager', 'invigilator', 'examiner'],
  exam_authority: ['manager', 'invigilator', 'examiner', 'patroller'],
  regulator: ['manager', 'inspector', 'patroller'],
  enterprise: ['manager'],
};

export function dutyAllowedFor(kind: string, duty: string): boolean {
  return (dutiesByKind[kind] ?? []).includes(duty as Duty);
}

const examDuties: readonly string[] = ['invigilator', 'examiner', 'patroller'];
const examKinds: readonly string[] = ['exam_site', 'exam_authority'];

function isExamRole(a: { kind: string; duty: string }): boolean {
  return examKinds.includes(a.kind) || examDuties.includes(a.duty);
}

function isTrainingRole(a: { kind: string }): boolean {
  return a.kind === 'training_institution';
}

export interface SeparationFinding {
  code: 'training_exam_separation';
  message: string;
}

/**
 * 培考分离 (安监总培训〔2013〕104号 "考教分离"; seed 002): nobody holds an exam duty while holding a
 * duty at a training institution, in either order.
 */
export function separationConflicts(
  proposed: { kind: string; duty: string },
  current: { kind: string; duty: string; organizationName: string }[],
): SeparationFinding[] {
  const findings: SeparationFinding[] = [];
  for (const c of current) {
    if (
      (isExamRole(proposed) && isTrainingRole(c)) ||
      (isTrainingRole(proposed) && isExamRole(c))
    ) {
      findings.push({
        code: 'training_exam_separation',
        message: `培考分离：此人在「${c.organizationName}」担任${c.duty}，不得同时担任培训与考试职务`,
      });
    }
  }
  return findings;
}
