import { obligationRule } from './enterprise-obligations.js';

/** C02 高危行业主要负责人、安全管理人员任职6个月内未取得合格证 (enterprises/obligations.rules.ts). */
export default obligationRule('C02', ['manager_certificate']);
