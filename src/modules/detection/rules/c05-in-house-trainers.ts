import { obligationRule } from './enterprise-obligations.js';

/** C05 内训师配备不足（高危行业≥5‰且不少于3人，规模以上企业≥3‰） (enterprises/obligations.rules.ts). */
export default obligationRule('C05', ['in_house_trainers']);
