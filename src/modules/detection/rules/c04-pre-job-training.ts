import { obligationRule } from './enterprise-obligations.js';

/** C04 新上岗、调岗、离岗复工人员未完成岗前培训、三级安全教育或离岗6个月以上未重新实操考试 (enterprises/obligations.rules.ts). */
export default obligationRule('C04', [
  'pre_job_training',
  'three_level_education',
  'away_practical_exam',
]);
