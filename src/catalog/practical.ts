import { type FigureStatus, SOURCES } from './figure.js';
import { findOperationItem } from './operations.js';

/**
 * 特种作业安全技术实际操作考试标准 (RULES.md §D): four subjects per item — K1 安全用具使用,
 * K2 安全操作技术, K3 作业现场安全隐患排除, K4 作业现场应急处置 — one task drawn per subject for each
 * candidate, each subject weighted, the exam scored out of 100; a failed veto item (否决项) fails the
 * whole exam whatever the points.
 */

export interface PracticalTask {
  code: string;
  name: string;
}

export interface PracticalSubject {
  code: 'K1' | 'K2' | 'K3' | 'K4';
  name: string;
  /** Points of this subject in the 100 of the exam. */
  weight: number;
  tasks: readonly PracticalTask[];
  /**
   * What fails the exam outright when the examiner marks it in this subject. The standard names veto
   * items per task (e.g. 触电/未断电操作); these are the common ones; examiners record the observed one.
   */
  vetoItems: readonly string[];
}

export interface PracticalStandard {
  operationItemCode: string;
  minutes: number;
  subjects: readonly PracticalSubject[];
  source: string;
  status: FigureStatus;
}

const STANDARD =
  '《特种作业安全技术实际操作考试标准》(安监总厅培训〔2014〕139号附件) 及各作业考试点设备配备标准';
const subjectNames = {
  K1: '安全用具使用',
  K2: '安全操作技术',
  K3: '作业现场安全隐患排除',
  K4: '作业现场应急处置',
} as const;
const commonVeto = {
  K1: ['未正确穿戴个人防护用品即开始作业'],
  K2: ['违反安全操作规程造成人身伤害或设备损坏的', '带电或未经验电操作'],
  K3: ['未发现危及人身安全的重大隐患'],
  K4: ['心肺复苏操作中按压位置错误导致无效'],
};

function subject(
  code: PracticalSubject['code'],
  weight: number,
  tasks: [string, string][],
  vetoItems: readonly string[] = commonVeto[code],
): PracticalSubject {
  return {
    code,
    name: subjectNames[code],
    weight,
    tasks: tasks.map(([c, name]) => ({ code: c, name })),
    vetoItems,
  };
}

const standards: readonly PracticalStandard[] = [
  {
    operationItemCode: '1.2',
    minutes: 60,
    source: STANDARD,
    status: 'confirmed',
    subjects: [
      subject('K1', 20, [
        ['K11', '电工仪表安全使用'],
        ['K12', '电工安全用具使用'],
        ['K13', '电工安全标示的辨识'],
      ]),
      subject('K2', 40, [
        ['K21', '三相异步电动机单向连续运转（带点动控制）接线'],
        ['K22', '三相异步电动机正反转控制电路接线'],
        ['K23', '单相电能表带照明灯的安装及接线'],
        ['K24', '带熔断器（断路器）、仪表、电流互感器的电动机运行控制电路接线'],
        ['K25', '导线的连接'],
      ]),
      subject('K3', 20, [
        ['K31', '判断作业现场存在的安全风险、职业危害'],
        ['K32', '结合实际工作任务，排除作业现场存在的安全隐患'],
      ]),
      subject('K4', 20, [
        ['K41', '触电事故现场的应急处理'],
        ['K42', '单人徒手心肺复苏操作'],
        ['K43', '灭火器的选择和使用'],
      ]),
    ],
  },
  {
    operationItemCode: '2.1',
    minutes: 60,
    source: STANDARD,
    status: 'confirmed',
    subjects: [
      subject('K1', 20, [
        ['K11', '焊条电弧焊个人防护用品的使用'],
        ['K12', '气焊气割个人防护用品的使用'],
        ['K13', '二氧化碳气体保护焊个人防护用品的使用'],
        ['K14', '手工钨极氩弧焊个人防护用品的使用'],
      ]),
      subject('K2', 40, [
        ['K21', '焊条电弧焊安全操作'],
        ['K22', '气焊（割）安全操作'],
        ['K23', '二氧化碳气体保护焊安全操作'],
        ['K24', '手工钨极氩弧焊安全操作'],
      ]),
      subject('K3', 20, [['K31', '焊接作业现场安全隐患排除']]),
      subject('K4', 20, [
        ['K41', '单人徒手心肺复苏操作'],
        ['K42', '灭火器的选择和使用'],
      ]),
    ],
  },
  {
    operationItemCode: '3.2',
    minutes: 45,
    source: `${STANDARD}；${SOURCES.seed004}：“删减平台搭设与拆除、单人吊具清洗、创伤包扎”列为问题`,
    status: 'confirmed',
    subjects: [
      subject(
        'K1',
        20,
        [['K11', '安全帽、安全带、防滑鞋的使用']],
        ['未系安全带或安全带未挂在独立生命绳上'],
      ),
      subject(
        'K2',
        60,
        [
          ['K21', '平台搭设与拆除'],
          ['K22', '吊篮清洗作业'],
          ['K23', '单人吊具清洗作业'],
        ],
        ['作业中未使用独立生命绳', '吊篮超载或人员在吊篮外作业'],
      ),
      subject('K3', 10, [['K31', '零部件判废']]),
      subject('K4', 10, [
        ['K41', '单人徒手心肺复苏操作'],
        ['K42', '创伤包扎'],
      ]),
    ],
  },
];

/**
 * Items whose standard text we have not read get the four subjects with the weights most standards
 * use (20/40/20/20) and generic tasks, marked unconfirmed so an administrator knows to replace them.
 */
function genericStandard(operationItemCode: string): PracticalStandard {
  return {
    operationItemCode,
    minutes: 60,
    source: `${STANDARD} (this item's text not read; generic subjects, weights 20/40/20/20 as in most items)`,
    status: 'unconfirmed',
    subjects: [
      subject('K1', 20, [['K11', '个人防护及安全用具使用']]),
      subject('K2', 40, [['K21', '本作业安全操作技术']]),
      subject('K3', 20, [['K31', '作业现场安全隐患排除']]),
      subject('K4', 20, [
        ['K41', '单人徒手心肺复苏操作'],
        ['K42', '灭火器的选择和使用'],
      ]),
    ],
  };
}

/** The practical standard of a special-operation item; null for items without a practical exam (合格证). */
export function practicalStandard(operationItemCode: string): PracticalStandard | null {
  if (!findOperationItem(operationItemCode)) return null;
  return (
    standards.find((s) => s.operationItemCode === operationItemCode) ??
    genericStandard(operationItemCode)
  );
}

export const confirmedPracticalStandards = standards;
