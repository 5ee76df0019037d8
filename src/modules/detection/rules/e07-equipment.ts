import { defineRule } from '../rule.js';

/**
 * E07 考试设备未按时检验 (seed 004: 考试设备未按规定定期检验). The platform keeps no record of exam
 * equipment and its inspections yet (no equipment register, no inspection dates, nothing in the
 * bundle), so the rule cannot be judged and says so — never zero alerts that would read as "all
 * inspected". It becomes evaluable when an equipment register with inspection dates exists.
 */
export default defineRule({
  id: 'E07',
  record: 'organization',
  policyKeys: [],
  triggers: ['organization'],
  reach: 'organization',
  async evaluable() {
    return '不可评估：平台尚无考试设备台账及其检验记录（设备、检验日期、有效期），无从判断是否按时检验';
  },
  async load() {
    return null;
  },
  judge() {
    return [];
  },
});
