import { obligationRule } from './enterprise-obligations.js';

/** C01 特种作业人员无有效操作证上岗、申报的证书号在证书库中不存在或属于他人（持假证） (enterprises/obligations.rules.ts). */
export default obligationRule('C01', ['special_certificate']);
