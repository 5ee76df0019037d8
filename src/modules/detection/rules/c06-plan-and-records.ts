import { detectionRules } from '../../../catalog/findings.js';
import { obligationRule } from './enterprise-obligations.js';
import { ev, orgOf } from './shared.js';

/**
 * C06 无年度培训计划或培训记录不全 (seeds 001, 003): the year's training plan missing past its date
 * (enterprises/obligations.rules.ts), and training sessions of the last 12 months with participants
 * whose assessment result was never recorded (安全生产法 第二十八条: time, content, participants,
 * assessment result).
 */
export default obligationRule('C06', ['annual_plan'], (o, today) =>
  o.unassessed.map((s) => ({
    rule: 'C06' as const,
    code: 'training_record_incomplete',
    severity: detectionRules.C06.severity,
    blocking: false,
    subject: { kind: 'organization' as const, id: o.orgId, name: o.orgName },
    message: `${o.orgName}：${s.date}「${s.title}」有 ${s.missing} 人没有考核结果`,
    evidence: [
      ev('organization', o.orgId, o.orgName),
      ev('enterprise_training_session', s.id, `${s.date} ${s.title}`),
    ],
    source: '《中华人民共和国安全生产法》第二十八条（培训记录含考核结果）',
    organization: orgOf(o),
    date: s.date ?? today,
  })),
);
