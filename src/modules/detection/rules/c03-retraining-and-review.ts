import { obligationRule } from './enterprise-obligations.js';

/** C03 合格证持证人年度再培训缺失；特种作业操作证逾期未复审 (enterprises/obligations.rules.ts). */
export default obligationRule('C03', ['manager_retraining', 'certificate_review']);
